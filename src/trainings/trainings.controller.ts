import { recordsController } from '../common/records/records.controller';
import { AuditPageDto } from '../profiles/dto/profile.dto';
import { TrainingDto, TrainingImportReportDto, TrainingPageDto } from './dto/training.dto';
import { TrainingsService } from './trainings.service';

/** List, import, export, PUT, PATCH, DELETE and history of extended trainings (GET: combined reads). */
export const TrainingsController = recordsController({
  name: 'TrainingsController',
  path: 'trainings',
  idName: 'lpId',
  idDescription: 'Opigno learning path id: ^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$',
  tag: 'trainings',
  noun: 'training',
  fieldKind: 'training',
  service: TrainingsService,
  dto: TrainingDto,
  pageDto: TrainingPageDto,
  importReportDto: TrainingImportReportDto,
  auditPageDto: AuditPageDto,
  withDelete: true,
});
