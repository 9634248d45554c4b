import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AiSystemCommandsResolver } from './ai-system-commands.resolver';
import { ExecuteAiSystemCommandHandler } from './execute-ai-system-command.handler';

@Module({ imports: [CqrsModule], providers: [ExecuteAiSystemCommandHandler, AiSystemCommandsResolver] })
export class AiSystemsModule {}
