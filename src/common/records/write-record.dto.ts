import { ApiProperty } from '@nestjs/swagger';
import { IsObject } from 'class-validator';
import type { JsonObject } from './merge-patch';

/** PUT replaces the fields the caller may write; PATCH merges them (JSON Merge Patch: null removes). */
export class WriteRecordDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Custom field values by key, as defined under /v1/admin/fields/{kind}',
  })
  @IsObject()
  fields!: JsonObject;
}
