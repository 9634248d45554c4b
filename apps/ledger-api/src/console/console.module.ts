import { Module } from '@nestjs/common';
import { LedgerConfig } from '@ledger/runtime';
import { ConsoleController } from './console.controller';
import { CONSOLE_SETTINGS } from './console.tokens';
import { consoleSettings } from './console-settings';

/** The auditor console at /console: `npm start` serves it with no extra step. */
@Module({
  controllers: [ConsoleController],
  providers: [
    {
      provide: CONSOLE_SETTINGS,
      useFactory: consoleSettings,
      inject: [LedgerConfig],
    },
  ],
})
export class ConsoleModule {}
