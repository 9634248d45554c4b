import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DatasetCommandsResolver } from './dataset-commands.resolver';
import { ExecuteDatasetCommandHandler } from './execute-dataset-command.handler';

@Module({ imports: [CqrsModule], providers: [ExecuteDatasetCommandHandler, DatasetCommandsResolver] })
export class DatasetsModule {}
