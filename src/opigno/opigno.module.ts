import { Module } from '@nestjs/common';
import { opignoConfig, OpignoConfig } from '../config/configuration';
import { OpignoCircuit } from './opigno-circuit';
import { OpignoConnectionController } from './opigno-connection.controller';
import { OpignoConnectionRepository } from './opigno-connection.repository';
import { OpignoConnectionService } from './opigno-connection.service';
import { OpignoDocuments } from './opigno-documents';
import { OpignoGraphqlClient } from './opigno-graphql.client';
import { OpignoHttp } from './opigno-http';
import { OpignoClient } from './opigno.client';
import { OpignoMetrics } from './opigno.metrics';

/** The upstream connector. Import it and inject OpignoClient; nothing else talks to Opigno. */
@Module({
  controllers: [OpignoConnectionController],
  providers: [
    {
      provide: OpignoDocuments,
      inject: [opignoConfig.KEY],
      useFactory: (config: OpignoConfig) => OpignoDocuments.load(config.documentsDir),
    },
    OpignoMetrics,
    OpignoHttp,
    OpignoCircuit,
    OpignoConnectionRepository,
    OpignoConnectionService,
    OpignoGraphqlClient,
    OpignoClient,
  ],
  exports: [OpignoClient],
})
export class OpignoModule {}
