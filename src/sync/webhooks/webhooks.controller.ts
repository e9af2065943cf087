import { Controller, Headers, Post, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../auth/auth.decorators';
import { ApiProblems } from '../../common/openapi/problem.schema';
import type { RequestWithRawBody } from './raw-body';
import { WEBHOOK_SIGNATURE_HEADER } from './webhook-signature';
import { WebhookReceipt, WebhooksService } from './webhooks.service';

export const OPIGNO_WEBHOOK_ROUTE = '/v1/webhooks/opigno';

class DirtyMarkDto {
  @ApiProperty({ example: 'progress' }) job!: string;
  @ApiProperty({ example: 'user-42' }) key!: string;
}

class WebhookReceiptDto {
  @ApiProperty({ description: 'Delivery id' }) id!: string;
  @ApiProperty({ example: 'USER_COMPLETED_TRAINING' }) event!: string;
  @ApiProperty({ description: 'True when this delivery id was already received (nothing done)' }) duplicate!: boolean;
  @ApiProperty({ type: [DirtyMarkDto], description: 'Records marked for the next incremental sync runs' }) marked!: DirtyMarkDto[];
}

@ApiTags('webhooks')
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Public()
  @Post('opigno')
  @ApiOperation({
    summary: 'Receive an Opigno webhook',
    description:
      'Authenticated by X-Opigno-LIP-Signature (hex HMAC-SHA256 of the raw body with OPIGNO_WEBHOOK_SECRET), not by an API key. ' +
      'Events: USER_REGISTERED_TO_TRAINING, USER_COMPLETED_TRAINING, LEARNING_PATH_NEW_REVISION, CERTIFICATE_EXPIRED. Idempotent per delivery id.',
  })
  @ApiHeader({ name: 'X-Opigno-LIP-Signature', required: true })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['id', 'event'],
      properties: {
        id: { type: 'string' },
        event: { type: 'string' },
        occurredAt: { type: 'string' },
        data: { type: 'object', properties: { uuid: { type: 'string' }, lpId: { type: 'string' } } },
      },
    },
  })
  @ApiAcceptedResponse({ type: WebhookReceiptDto, description: 'Accepted: the affected records are marked for the next sync' })
  @ApiOkResponse({ type: WebhookReceiptDto, description: 'A repeated delivery: nothing done' })
  @ApiProblems(400, 401, 415, 422, 503)
  async receive(
    @Req() request: RequestWithRawBody,
    @Headers(WEBHOOK_SIGNATURE_HEADER) signature: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<WebhookReceipt> {
    const receipt = await this.webhooks.receive(request.rawBody, signature);
    void reply.status(receipt.duplicate ? 200 : 202);
    return receipt;
  }
}
