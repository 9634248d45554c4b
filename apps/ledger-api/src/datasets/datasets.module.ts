import { Module } from '@nestjs/common';
import { DatasetCommands } from '../commands/handle-command';
import { ApproveDatasetResolver } from './approve-dataset.resolver';
import { GrantDatasetAccessResolver } from './grant-dataset-access.resolver';
import { RecordDatasetAccessPolicyResolver } from './record-dataset-access-policy.resolver';
import { RegisterDatasetResolver } from './register-dataset.resolver';
import { RevokeDatasetAccessResolver } from './revoke-dataset-access.resolver';

/** One resolver per use case: each mutation validates its input and handles its command on the dataset's stream. */
@Module({
  providers: [
    DatasetCommands,
    ApproveDatasetResolver,
    GrantDatasetAccessResolver,
    RecordDatasetAccessPolicyResolver,
    RegisterDatasetResolver,
    RevokeDatasetAccessResolver,
  ],
})
export class DatasetsModule {}
