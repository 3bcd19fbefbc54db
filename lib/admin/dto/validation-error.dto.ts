import { ApiProperty } from '../swagger/optional-swagger.js';

/** One field the admin API refused, and why. */
export class FieldErrorDto {
  @ApiProperty({ example: 'name' }) field!: string;
  @ApiProperty({ type: [String], example: ['name must be a string'] }) errors!: string[];
}

/** A 400 answer of the admin API: every refused field, each with its reasons. */
export class ValidationErrorDto {
  @ApiProperty({ example: 400 }) statusCode!: number;
  @ApiProperty({ example: 'Bad Request' }) error!: string;
  @ApiProperty({ type: [String], description: 'Every reason, as one list.' }) message!: string[];
  @ApiProperty({ type: [FieldErrorDto] }) fields!: FieldErrorDto[];
}
