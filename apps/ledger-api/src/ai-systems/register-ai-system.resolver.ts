import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { ArrayMaxSize, ArrayMinSize, IsIn, Length, Matches, ValidateIf } from 'class-validator';
import { RISK_CLASSES, SUPPLIERS, type RiskClass, type Supplier } from '@ledger/domain';
import { AiSystemCommands, type CommandReceipt } from '../commands/handle-command';
import { ID, ID_RULE } from '../commands/input-rules';
import type { GraphqlContext } from '../graphql/graphql-context';

export class RegisterAiSystemInput {
  @Matches(ID, ID_RULE) systemId!: string;
  @Length(1, 200) name!: string;
  @Length(1, 4000) intendedUse!: string;
  @Length(1, 200) clinicalDomain!: string;
  @IsIn(RISK_CLASSES) riskClass!: RiskClass;
  @IsIn(SUPPLIERS) supplier!: Supplier;
  @ValidateIf((input: RegisterAiSystemInput) => input.supplier === 'vendor' || input.vendorName !== undefined)
  @Length(1, 200, { message: 'vendorName must name the vendor (1-200 characters) when supplier is vendor' })
  vendorName?: string;
  @ArrayMinSize(1, { message: 'sites must list at least one site where the system is used' })
  @ArrayMaxSize(500)
  @Length(1, 200, { each: true })
  sites!: string[];
}

@Resolver()
export class RegisterAiSystemResolver {
  constructor(private readonly aiSystems: AiSystemCommands) {}

  @Mutation()
  registerAiSystem(
    @Args('input') input: RegisterAiSystemInput,
    @Context() ctx: GraphqlContext,
  ): Promise<CommandReceipt> {
    return this.aiSystems.handle(ctx, input.systemId, (meta) => ({
      type: 'RegisterAiSystem',
      ...input,
      meta,
    }));
  }
}
