import { recordsController } from '../common/records/records.controller';
import { AuditPageDto, ImportReportDto, ProfileDto, ProfilePageDto } from './dto/profile.dto';
import { ProfilesService } from './profiles.service';

/** List, import, export, PUT, PATCH and history of profiles (GET and DELETE: combined reads and privacy). */
export const ProfilesController = recordsController({
  name: 'ProfilesController',
  path: 'profiles',
  idName: 'uuid',
  idDescription: 'Opigno user UUID: ^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$ (anon-… ids allowed)',
  tag: 'profiles',
  noun: 'profile',
  fieldKind: 'profile',
  service: ProfilesService,
  dto: ProfileDto,
  pageDto: ProfilePageDto,
  importReportDto: ImportReportDto,
  auditPageDto: AuditPageDto,
  withDelete: false,
});
