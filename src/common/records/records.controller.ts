import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Req,
  Res,
  StreamableFile,
  Type,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiParam,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentCaller, Roles } from '../../auth/auth.decorators';
import type { Caller } from '../../auth/roles';
import { BadRequestError } from '../errors/domain-error';
import { ApiProblems } from '../openapi/problem.schema';
import { etagOf, parseWritePreconditions } from './etag';
import type { KeyedRecordsService } from './keyed-records.service';
import { WriteRecordDto } from './write-record.dto';
import { ValidBody } from '../http/validation';

export interface RecordsControllerOptions<K extends string> {
  /** Class name, which also prefixes the OpenAPI operation ids. */
  name: string;
  /** Collection path under /v1, e.g. 'profiles'. */
  path: string;
  idName: K;
  idDescription: string;
  tag: string;
  /** Singular noun for descriptions, e.g. 'profile'. */
  noun: string;
  fieldKind: string;
  service: Type<KeyedRecordsService<K>>;
  dto: Type<unknown>;
  pageDto: Type<unknown>;
  importReportDto: Type<unknown>;
  auditPageDto: Type<unknown>;
  /** Also serve DELETE of one record (profiles leave it to the privacy feature, which adds erase). */
  withDelete: boolean;
}

/**
 * The collection routes every kind of extended record shares (list, import, export, PUT, PATCH,
 * history), built per kind so each documents its own id and DTOs. The single-record GET and
 * DELETE live with the features that extend them (combined reads, privacy erase).
 */
export function recordsController<K extends string>(o: RecordsControllerOptions<K>): Type<unknown> {
  const item = `${o.path}/:${o.idName}`;
  const idParam = { name: o.idName, description: o.idDescription };
  const ifMatch = {
    name: 'If-Match',
    required: false,
    description: `Write only if the ${o.noun} is at this version ("<version>" as sent in ETag)`,
  };

  @ApiTags(o.tag)
  @ApiBearerAuth()
  @ApiProblems(401, 403, 429)
  @Roles('admin', 'service')
  @Controller('v1')
  class RecordsController {
    constructor(@Inject(o.service) readonly records: KeyedRecordsService<K>) {}

    @Get(o.path)
    @ApiOkResponse({ type: o.pageDto })
    @ApiQuery({
      name: 'filter[<key>]',
      required: false,
      description: `On a searchable ${o.fieldKind} field: filter[<key>]=v, or filter[<key>][eq|ne|gt|gte|lt|lte|in|prefix]=v (in takes a comma list)`,
    })
    @ApiQuery({
      name: 'sort',
      required: false,
      description: '<key>, -<key> (searchable fields), createdAt, updatedAt, -createdAt, -updatedAt; default createdAt',
    })
    @ApiQuery({ name: 'limit', required: false, description: '1..200, default 50' })
    @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
    @ApiProblems(400)
    list(
      @Req() request: FastifyRequest,
      @CurrentCaller() caller: Caller,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<string> {
      void reply.type('application/json; charset=utf-8');
      return this.records.listSerialized(request.url.split('?')[1] ?? '', caller);
    }

    // find-my-way reads "::" as a literal colon: /v1/<path>:import
    @Post(`${o.path}::import`)
    @HttpCode(200)
    @ApiConsumes('application/x-ndjson')
    @ApiBody({
      description: `One { "${o.idName}": …, "fields": { … } } per line (upsert, replacing the fields)`,
      schema: { type: 'string' },
    })
    @ApiOkResponse({
      type: o.importReportDto,
      description: 'Per-line results and totals; valid lines are stored even when others are invalid',
    })
    @ApiProblems(400, 413, 415)
    import(@Body() body: unknown, @CurrentCaller() caller: Caller): Promise<unknown> {
      if (typeof body !== 'string') throw new BadRequestError('ndjson_required', 'Send the import as application/x-ndjson.');
      return this.records.import(body, caller);
    }

    @Get(`${o.path}::export`)
    @ApiProduces('application/x-ndjson')
    @ApiOkResponse({
      description: `Every ${o.noun} as one JSON document per line, streamed`,
      content: { 'application/x-ndjson': { schema: { type: 'string' } } },
    })
    export(@CurrentCaller() caller: Caller): StreamableFile {
      return new StreamableFile(this.records.export(caller), { type: 'application/x-ndjson' });
    }

    @Put(item)
    @ApiParam(idParam)
    @ApiOkResponse({ type: o.dto, description: 'Replaced' })
    @ApiCreatedResponse({ type: o.dto, description: 'Created' })
    @ApiHeader(ifMatch)
    @ApiHeader({ name: 'If-None-Match', required: false, description: '* : create only (412 already_exists when present)' })
    @ApiProblems(400, 412, 422)
    async put(
      @Param(o.idName) id: string,
      @ValidBody() body: WriteRecordDto,
      @Headers('if-match') ifMatchHeader: string | undefined,
      @Headers('if-none-match') ifNoneMatch: string | undefined,
      @CurrentCaller() caller: Caller,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<unknown> {
      const { view, created } = await this.records.put(id, body.fields, caller, parseWritePreconditions(ifMatchHeader, ifNoneMatch));
      void reply.status(created ? 201 : 200).header('etag', etagOf(view.version));
      return view;
    }

    @Patch(item)
    @ApiParam(idParam)
    @ApiOkResponse({ type: o.dto, description: 'fields merged as a JSON Merge Patch (RFC 7396): null removes a value' })
    @ApiHeader(ifMatch)
    @ApiProblems(400, 404, 412, 422)
    async patch(
      @Param(o.idName) id: string,
      @ValidBody() body: WriteRecordDto,
      @Headers('if-match') ifMatchHeader: string | undefined,
      @CurrentCaller() caller: Caller,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<unknown> {
      const view = await this.records.patch(id, body.fields, caller, parseWritePreconditions(ifMatchHeader, undefined));
      void reply.header('etag', etagOf(view.version));
      return view;
    }

    @Delete(item)
    @ApiParam(idParam)
    @HttpCode(204)
    @ApiNoContentResponse({ description: 'Deleted' })
    @ApiHeader(ifMatch)
    @ApiProblems(400, 404, 412)
    delete(
      @Param(o.idName) id: string,
      @Headers('if-match') ifMatchHeader: string | undefined,
      @CurrentCaller() caller: Caller,
    ): Promise<void> {
      return this.records.delete(id, caller, parseWritePreconditions(ifMatchHeader, undefined));
    }

    @Get(`${item}/history`)
    @ApiParam(idParam)
    @ApiOkResponse({ type: o.auditPageDto, description: `Changes to the ${o.noun}, newest first` })
    @ApiQuery({ name: 'limit', required: false, description: '1..200, default 50' })
    @ApiQuery({ name: 'cursor', required: false })
    @ApiProblems(400)
    history(
      @Param(o.idName) id: string,
      @Query('limit') limit: string | undefined,
      @Query('cursor') cursor: string | undefined,
      @CurrentCaller() caller: Caller,
    ): Promise<unknown> {
      return this.records.history(id, caller, limit, cursor);
    }
  }

  if (!o.withDelete) removeRoute(RecordsController, 'delete');
  Object.defineProperty(RecordsController, 'name', { value: o.name });
  return RecordsController;
}

/** Drops a handler before Nest scans the class, so the route is neither served nor documented. */
function removeRoute(controller: Type<unknown>, method: string): void {
  delete (controller.prototype as Record<string, unknown>)[method];
}
