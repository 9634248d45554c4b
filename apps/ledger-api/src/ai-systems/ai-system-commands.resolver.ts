import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { CommandBus } from '@nestjs/cqrs';
import type { CommandReceipt } from '../commands/stream-decider';
import { graphqlCommandContext, type GraphqlContext } from '../graphql/graphql-context';
import { ExecuteAiSystemCommand, type AiSystemRequest } from './execute-ai-system-command.handler';
import { AcceptAccountabilityInput } from './accept-accountability/accept-accountability.input';
import { ApproveDeploymentInput } from './approve-deployment/approve-deployment.input';
import { AssignAccountabilityInput } from './assign-accountability/assign-accountability.input';
import { CloseIncidentInput } from './close-incident/close-incident.input';
import { DecideTakedownInput } from './decide-takedown/decide-takedown.input';
import { DeployModelVersionInput } from './deploy-model-version/deploy-model-version.input';
import { PlanMonitoringInput } from './plan-monitoring/plan-monitoring.input';
import { RatifyTakedownInput } from './ratify-takedown/ratify-takedown.input';
import { RecordAccessPolicyInput } from './record-access-policy/record-access-policy.input';
import { RecordAuditInput } from './record-audit/record-audit.input';
import { RecordMonitoringSignalInput } from './record-monitoring-signal/record-monitoring-signal.input';
import { RecordValidationResultInput } from './record-validation-result/record-validation-result.input';
import { RegisterAiSystemInput } from './register-ai-system/register-ai-system.input';
import { RegisterAuditSourceInput } from './register-audit-source/register-audit-source.input';
import { RegisterModelVersionInput } from './register-model-version/register-model-version.input';
import { ReinstateAiSystemInput } from './reinstate-ai-system/reinstate-ai-system.input';
import { ReportIncidentInput } from './report-incident/report-incident.input';
import { RevokeAccountabilityInput } from './revoke-accountability/revoke-accountability.input';
import { UpdateIncidentStatusInput } from './update-incident-status/update-incident-status.input';

/** The GraphQL mutations on AI systems: each validates its input (class-validator) and sends one command. */
@Resolver()
export class AiSystemCommandsResolver {
  constructor(private readonly commands: CommandBus) {}

  private run(request: AiSystemRequest, ctx: GraphqlContext): Promise<CommandReceipt> {
    return this.commands.execute(new ExecuteAiSystemCommand(request, graphqlCommandContext(ctx)));
  }

  @Mutation()
  acceptAccountability(@Args('input') input: AcceptAccountabilityInput, @Context() ctx: GraphqlContext) {
    return this.run({ type: 'AcceptAccountability', ...input }, ctx);
  }

  @Mutation()
  approveDeployment(@Args('input') input: ApproveDeploymentInput, @Context() ctx: GraphqlContext) {
    return this.run({ type: 'ApproveDeployment', ...input }, ctx);
  }

  @Mutation()
  assignAccountability(@Args('input') input: AssignAccountabilityInput, @Context() ctx: GraphqlContext) {
    return this.run({ type: 'AssignAccountability', ...input }, ctx);
  }

  @Mutation()
  closeIncident(@Args('input') input: CloseIncidentInput, @Context() ctx: GraphqlContext) {
    return this.run({ type: 'CloseIncident', ...input }, ctx);
  }

  @Mutation()
  decideTakedown(@Args('input') input: DecideTakedownInput, @Context() ctx: GraphqlContext) {
    return this.run({ type: 'DecideTakedown', ...input }, ctx);
  }

  @Mutation()
  deployModelVersion(@Args('input') input: DeployModelVersionInput, @Context() ctx: GraphqlContext) {
    return this.run({ type: 'DeployModelVersion', ...input }, ctx);
  }

  @Mutation()
  planMonitoring(@Args('input') input: PlanMonitoringInput, @Context() ctx: GraphqlContext) {
    return this.run({ type: 'PlanMonitoring', ...input }, ctx);
  }

  @Mutation()
  ratifyTakedown(@Args('input') input: RatifyTakedownInput, @Context() ctx: GraphqlContext) {
    return this.run({ type: 'RatifyTakedown', ...input }, ctx);
  }

  @Mutation()
  recordAccessPolicy(@Args('input') input: RecordAccessPolicyInput, @Context() ctx: GraphqlContext) {
    return this.run({ type: 'RecordAccessPolicy', ...input }, ctx);
  }

  @Mutation()
  recordAudit(@Args('input') input: RecordAuditInput, @Context() ctx: GraphqlContext) {
    return this.run({ type: 'RecordAudit', ...input }, ctx);
  }

  @Mutation()
  recordMonitoringSignal(@Args('input') input: RecordMonitoringSignalInput, @Context() ctx: GraphqlContext) {
    return this.run({ type: 'RecordMonitoringSignal', ...input }, ctx);
  }

  @Mutation()
  recordValidationResult(@Args('input') input: RecordValidationResultInput, @Context() ctx: GraphqlContext) {
    return this.run({ type: 'RecordValidationResult', ...input }, ctx);
  }

  @Mutation()
  registerAiSystem(@Args('input') input: RegisterAiSystemInput, @Context() ctx: GraphqlContext) {
    return this.run({ type: 'RegisterAiSystem', ...input }, ctx);
  }

  @Mutation()
  registerAuditSource(@Args('input') input: RegisterAuditSourceInput, @Context() ctx: GraphqlContext) {
    return this.run({ type: 'RegisterAuditSource', ...input }, ctx);
  }

  @Mutation()
  registerModelVersion(@Args('input') input: RegisterModelVersionInput, @Context() ctx: GraphqlContext) {
    return this.run({ type: 'RegisterModelVersion', ...input }, ctx);
  }

  @Mutation()
  reinstateAiSystem(@Args('input') input: ReinstateAiSystemInput, @Context() ctx: GraphqlContext) {
    return this.run({ type: 'ReinstateAiSystem', ...input }, ctx);
  }

  @Mutation()
  reportIncident(@Args('input') input: ReportIncidentInput, @Context() ctx: GraphqlContext) {
    return this.run({ type: 'ReportIncident', ...input }, ctx);
  }

  @Mutation()
  revokeAccountability(@Args('input') input: RevokeAccountabilityInput, @Context() ctx: GraphqlContext) {
    return this.run({ type: 'RevokeAccountability', ...input }, ctx);
  }

  @Mutation()
  updateIncidentStatus(@Args('input') input: UpdateIncidentStatusInput, @Context() ctx: GraphqlContext) {
    return this.run({ type: 'UpdateIncidentStatus', ...input }, ctx);
  }
}
