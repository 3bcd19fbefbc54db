import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ApiPropertyOptional } from '../swagger/optional-swagger.js';

/** Largest page the admin API returns. */
export const MAX_PAGE_SIZE = 100;

/** The `limit` of a list query: 1 to `MAX_PAGE_SIZE`, `defaultSize` when absent. */
export const PageLimit = (defaultSize: number): PropertyDecorator =>
  applyDecorators(
    ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: defaultSize }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(MAX_PAGE_SIZE),
  );

/** The `offset` of a list query: rows to skip, 0 when absent. */
export const PageOffset = (): PropertyDecorator =>
  applyDecorators(
    ApiPropertyOptional({ minimum: 0, default: 0 }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(0),
  );
