import type { DirectRoute } from '../common/http/direct-routes';
import { CombinedReadsController } from './combined-reads.controller';

/** A single-record read: (id, include, strict, Cache-Control, caller, reply), as the handler's decorators extract them. */
function singleRecordRead(url: string, idParam: string, handler: 'get' | 'getTraining'): DirectRoute<CombinedReadsController> {
  return {
    method: 'GET',
    url,
    controller: CombinedReadsController,
    handler,
    call: (controller, request, reply) => {
      const id = (request.params as Record<string, string>)[idParam]!;
      const { include, strict } = request.query as { include?: string; strict?: string };
      return controller[handler](id, include, strict, request.headers['cache-control'], request.caller, reply);
    },
  };
}

/** The single-record reads, local or combined: the API's hottest routes (see serveDirectRoutes). */
export const COMBINED_READ_DIRECT_ROUTES: ReadonlyArray<DirectRoute<CombinedReadsController>> = [
  singleRecordRead('/v1/profiles/:uuid', 'uuid', 'get'),
  singleRecordRead('/v1/trainings/:lpId', 'lpId', 'getTraining'),
];
