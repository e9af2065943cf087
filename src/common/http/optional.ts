import { ValidateIf } from 'class-validator';

/**
 * The property may be absent; when present it must pass its validators. Unlike @IsOptional(),
 * `null` is not waved through (services would otherwise meet a null they never expected).
 */
export const Optional = (): PropertyDecorator => ValidateIf((_object: object, value: unknown) => value !== undefined);
