import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';
import * as classTransformer from 'class-transformer';
import * as classValidator from 'class-validator';
import type { FieldErrorDto, ValidationErrorDto } from './dto/validation-error.dto.js';

/**
 * Validates the admin API's bodies and queries against their DTOs: unknown fields are refused,
 * and a 400 lists every refused field with its reasons. It validates with the package's own
 * class-validator, the one its DTOs are decorated with.
 */
export function adminValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    validatorPackage: classValidator,
    transformerPackage: classTransformer,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new BadRequestException(validationErrorBody(errors)),
  });
}

function validationErrorBody(errors: ValidationError[]): ValidationErrorDto {
  const fields = errors.flatMap((error) => fieldErrors(error, ''));
  return { statusCode: 400, error: 'Bad Request', message: fields.flatMap((field) => field.errors), fields };
}

function fieldErrors(error: ValidationError, parent: string): FieldErrorDto[] {
  const field = [parent, error.property].filter(Boolean).join('.') || '(body)';
  const own = Object.values(error.constraints ?? {});
  const nested = (error.children ?? []).flatMap((child) => fieldErrors(child, field));
  return own.length > 0 ? [{ field, errors: own }, ...nested] : nested;
}
