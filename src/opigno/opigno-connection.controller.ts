import { Controller, Delete, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators';
import { ApiProblems } from '../common/openapi/problem.schema';
import { ConnectionDto, ConnectionTestDto, UpdateConnectionDto } from './dto/opigno-connection.dto';
import { OpignoConnectionService } from './opigno-connection.service';
import { ValidBody } from '../common/http/validation';

@ApiTags('admin: opigno connection')
@ApiBearerAuth()
@ApiProblems(401, 403, 429)
@Roles('admin')
@Controller('v1/admin/connection')
export class OpignoConnectionController {
  constructor(private readonly connection: OpignoConnectionService) {}

  @Get()
  @ApiOperation({ summary: 'The upstream connection in use (never the secret), token and circuit state' })
  @ApiOkResponse({ type: ConnectionDto })
  describe(): Promise<ConnectionDto> {
    return this.connection.describe();
  }

  @Put()
  @ApiOperation({ summary: 'Store the upstream connection; the secret is encrypted at rest and the cached token dropped' })
  @ApiOkResponse({ type: ConnectionDto })
  @ApiProblems(400, 409, 422)
  update(@ValidBody() body: UpdateConnectionDto): Promise<ConnectionDto> {
    return this.connection.update(body);
  }

  @Delete()
  @ApiOperation({ summary: 'Forget the stored connection and secret; the environment configuration applies again' })
  @ApiOkResponse({ type: ConnectionDto })
  @ApiProblems(404)
  reset(): Promise<ConnectionDto> {
    return this.connection.reset();
  }

  @Post('test')
  @HttpCode(200)
  @ApiOperation({ summary: 'Fetch a fresh token with the current credentials' })
  @ApiOkResponse({ type: ConnectionTestDto })
  @ApiProblems(502, 503)
  test(): Promise<ConnectionTestDto> {
    return this.connection.test();
  }
}
