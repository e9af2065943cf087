import { Controller, Delete, Get, Headers, HttpCode, Param, ParseBoolPipe, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiParam,
  ApiQuery,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { CurrentCaller, Roles } from '../auth/auth.decorators';
import type { Caller } from '../auth/roles';
import { ApiProblems } from '../common/openapi/problem.schema';
import { parseWritePreconditions } from '../common/records/etag';
import {
  CreateFieldDefinitionDto,
  FieldChangePreviewDto,
  FieldDefinitionDto,
  FieldDefinitionHistoryEntryDto,
  FieldDeletionDto,
  RenameFieldDto,
  UpdateFieldDefinitionDto,
} from './dto/field-definition.dto';
import { FIELD_KINDS } from './field-definition';
import { FieldChangePreview, FieldsService } from './fields.service';
import { ValidBody } from '../common/http/validation';

const KIND_PARAM = { name: 'kind', enum: FIELD_KINDS, description: 'Which kind of extended record the field belongs to' };

@ApiTags('admin: custom fields')
@ApiBearerAuth()
@ApiProblems(401, 403, 404, 429)
@ApiParam(KIND_PARAM)
@Roles('admin')
@Controller('v1/admin/fields/:kind')
export class FieldsController {
  constructor(private readonly fields: FieldsService) {}

  @Get()
  @ApiOkResponse({ type: [FieldDefinitionDto], description: 'Every definition of the kind, archived ones included' })
  list(@Param('kind') kind: string): Promise<FieldDefinitionDto[]> {
    return this.fields.list(kind);
  }

  @Post()
  @ApiCreatedResponse({ type: FieldDefinitionDto })
  @ApiProblems(400, 409, 422)
  create(
    @Param('kind') kind: string,
    @ValidBody() body: CreateFieldDefinitionDto,
    @CurrentCaller() caller: Caller,
  ): Promise<FieldDefinitionDto> {
    return this.fields.create(kind, body, caller);
  }

  @Get(':key')
  @ApiOkResponse({ type: FieldDefinitionDto })
  get(@Param('kind') kind: string, @Param('key') key: string): Promise<FieldDefinitionDto> {
    return this.fields.get(kind, key);
  }

  @Patch(':key')
  @ApiExtraModels(FieldDefinitionDto, FieldChangePreviewDto)
  @ApiOkResponse({
    description: 'The changed definition, or with dryRun=true what the change would do to stored values',
    schema: { oneOf: [{ $ref: getSchemaPath(FieldDefinitionDto) }, { $ref: getSchemaPath(FieldChangePreviewDto) }] },
  })
  @ApiQuery({ name: 'dryRun', required: false, type: Boolean, description: 'Count values that would fail or be converted; change nothing' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The definition version as "<version>"' })
  @ApiProblems(400, 409, 412, 422)
  update(
    @Param('kind') kind: string,
    @Param('key') key: string,
    @ValidBody() body: UpdateFieldDefinitionDto,
    @Query('dryRun', new ParseBoolPipe({ optional: true })) dryRun: boolean | undefined,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentCaller() caller: Caller,
  ): Promise<FieldDefinitionDto | FieldChangePreview> {
    if (dryRun) return this.fields.previewUpdate(kind, key, body);
    return this.fields.update(kind, key, body, caller, parseWritePreconditions(ifMatch, undefined));
  }

  @Delete(':key')
  @ApiOkResponse({ type: FieldDeletionDto })
  @ApiQuery({
    name: 'purge',
    required: false,
    type: Boolean,
    description: 'Also remove every stored value (needed when the field holds values)',
  })
  @ApiProblems(400, 409)
  remove(
    @Param('kind') kind: string,
    @Param('key') key: string,
    @Query('purge', new ParseBoolPipe({ optional: true })) purge: boolean | undefined,
    @CurrentCaller() caller: Caller,
  ): Promise<FieldDeletionDto> {
    return this.fields.remove(kind, key, purge === true, caller);
  }

  @Post(':key/rename')
  @HttpCode(200)
  @ApiOkResponse({ type: FieldDefinitionDto, description: 'The renamed definition; every stored value moved with it' })
  @ApiProblems(409, 422)
  rename(
    @Param('kind') kind: string,
    @Param('key') key: string,
    @ValidBody() body: RenameFieldDto,
    @CurrentCaller() caller: Caller,
  ): Promise<FieldDefinitionDto> {
    return this.fields.rename(kind, key, body.newKey, caller);
  }

  @Get(':key/history')
  @ApiOkResponse({ type: [FieldDefinitionHistoryEntryDto], description: 'Every version of the definition, newest first' })
  history(@Param('kind') kind: string, @Param('key') key: string): Promise<FieldDefinitionHistoryEntryDto[]> {
    return this.fields.history(kind, key);
  }
}
