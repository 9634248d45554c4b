import { Module } from '@nestjs/common';
import { AiSystemCommands } from '../commands/handle-command';
import { AcceptAccountabilityResolver } from './accept-accountability.resolver';
import { ApproveDeploymentResolver } from './approve-deployment.resolver';
import { AssignAccountabilityResolver } from './assign-accountability.resolver';
import { CloseIncidentResolver } from './close-incident.resolver';
import { DecideTakedownResolver } from './decide-takedown.resolver';
import { DeployModelVersionResolver } from './deploy-model-version.resolver';
import { PlanMonitoringResolver } from './plan-monitoring.resolver';
import { PlanValidationResolver } from './plan-validation.resolver';
import { RatifyTakedownResolver } from './ratify-takedown.resolver';
import { RecordAccessPolicyResolver } from './record-access-policy.resolver';
import { RecordAuditResolver } from './record-audit.resolver';
import { RecordIncidentNotificationResolver } from './record-incident-notification.resolver';
import { RecordMonitoringSignalResolver } from './record-monitoring-signal.resolver';
import { RecordValidationResultResolver } from './record-validation-result.resolver';
import { RegisterAiSystemResolver } from './register-ai-system.resolver';
import { RegisterAuditSourceResolver } from './register-audit-source.resolver';
import { RegisterModelVersionResolver } from './register-model-version.resolver';
import { RegisterMonitoringSourceResolver } from './register-monitoring-source.resolver';
import { ReinstateAiSystemResolver } from './reinstate-ai-system.resolver';
import { ReportIncidentResolver } from './report-incident.resolver';
import { ResolveAuditFindingResolver } from './resolve-audit-finding.resolver';
import { RevokeAccountabilityResolver } from './revoke-accountability.resolver';
import { UpdateIncidentStatusResolver } from './update-incident-status.resolver';
import { VerifyAuditFindingClosureResolver } from './verify-audit-finding-closure.resolver';

/** One resolver per use case: each mutation validates its input and handles its command on the AI system's stream. */
@Module({
  providers: [
    AiSystemCommands,
    AcceptAccountabilityResolver,
    ApproveDeploymentResolver,
    AssignAccountabilityResolver,
    CloseIncidentResolver,
    DecideTakedownResolver,
    DeployModelVersionResolver,
    PlanMonitoringResolver,
    PlanValidationResolver,
    RatifyTakedownResolver,
    RecordAccessPolicyResolver,
    RecordAuditResolver,
    RecordIncidentNotificationResolver,
    RecordMonitoringSignalResolver,
    RecordValidationResultResolver,
    RegisterAiSystemResolver,
    RegisterAuditSourceResolver,
    RegisterModelVersionResolver,
    RegisterMonitoringSourceResolver,
    ReinstateAiSystemResolver,
    ReportIncidentResolver,
    ResolveAuditFindingResolver,
    RevokeAccountabilityResolver,
    UpdateIncidentStatusResolver,
    VerifyAuditFindingClosureResolver,
  ],
  // The monitoring worker records computed signals down the same command path.
  exports: [AiSystemCommands],
})
export class AiSystemsModule {}
