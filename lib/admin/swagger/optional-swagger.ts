import { createRequire } from 'node:module';
import { join } from 'node:path';

type AnyDecorator = ClassDecorator & MethodDecorator & PropertyDecorator;
type DecoratorFactory = (...args: unknown[]) => AnyDecorator;

const noDecorator: AnyDecorator = () => undefined;

/**
 * `@nestjs/swagger` when the application has it, else `null`. It is an optional peer, so it is
 * required (never imported) from where this file is (CommonJS), from the entry script and from
 * the working directory; `require(esm)` loads its ESM build too.
 */
export const swagger: Record<string, unknown> | null = loadSwagger();

function loadSwagger(): Record<string, unknown> | null {
  const anchors = [typeof __filename === 'string' ? __filename : undefined, process.argv[1], join(process.cwd(), 'index.js')];
  for (const anchor of anchors) {
    if (!anchor) continue;
    try {
      return createRequire(anchor)('@nestjs/swagger') as Record<string, unknown>;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  return null;
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  return code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND';
}

/** The `@nestjs/swagger` decorator of that name, or one that does nothing without the package. */
export function swaggerDecorator(name: string): DecoratorFactory {
  return (...args) => {
    const factory = swagger?.[name] as DecoratorFactory | undefined;
    return factory ? factory(...args) : noDecorator;
  };
}

export const ApiTags = swaggerDecorator('ApiTags');
export const ApiOperation = swaggerDecorator('ApiOperation');
export const ApiProperty = swaggerDecorator('ApiProperty');
export const ApiPropertyOptional = swaggerDecorator('ApiPropertyOptional');
export const ApiOkResponse = swaggerDecorator('ApiOkResponse');
export const ApiCreatedResponse = swaggerDecorator('ApiCreatedResponse');
export const ApiBadRequestResponse = swaggerDecorator('ApiBadRequestResponse');
export const ApiUnauthorizedResponse = swaggerDecorator('ApiUnauthorizedResponse');
export const ApiForbiddenResponse = swaggerDecorator('ApiForbiddenResponse');
export const ApiNotFoundResponse = swaggerDecorator('ApiNotFoundResponse');
export const ApiConflictResponse = swaggerDecorator('ApiConflictResponse');
export const ApiParam = swaggerDecorator('ApiParam');
export const ApiSecurity = swaggerDecorator('ApiSecurity');
export const ApiExcludeController = swaggerDecorator('ApiExcludeController');
