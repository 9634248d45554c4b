import { resolve } from 'node:path';
import * as ts from 'typescript';

/**
 * Acceptance: a new command or event type that `decide` or `evolve` does not
 * handle fails to compile. This compiles the domain with one extra variant
 * patched into each union and expects the exhaustive switch to reject it.
 */

const ROOT = resolve(__dirname, '../../..');
const config = ts.getParsedCommandLineOfConfigFile(
  resolve(ROOT, 'tsconfig.json'),
  {},
  { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
);
if (!config) throw new Error('tsconfig.json could not be read');
let previous: ts.Program | undefined;

interface Patch {
  file: string;
  find: string;
  insert: string;
}

/** Type errors in the domain, with `patch.insert` added after `patch.find`. */
function domainTypeErrors(patch?: Patch): Array<{ file: string; message: string }> {
  const host = ts.createCompilerHost(config!.options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, language, ...rest) => {
    if (!patch || resolve(fileName) !== resolve(ROOT, patch.file)) return read(fileName, language, ...rest);
    const text = ts.sys.readFile(fileName) ?? '';
    if (!text.includes(patch.find))
      throw new Error(`${patch.file} no longer contains ${JSON.stringify(patch.find)}; update this spec`);
    return ts.createSourceFile(fileName, text.replace(patch.find, patch.find + patch.insert), language);
  };
  const program = ts.createProgram(
    [resolve(ROOT, 'libs/domain/src/index.ts')],
    { ...config!.options, noEmit: true },
    host,
    previous,
  );
  previous = program;
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName.includes('libs/domain/'))
    .map((d) => ({
      file: d.file!.fileName.slice(ROOT.length + 1),
      message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    }));
}

const unhandled = (file: string) => [
  expect.objectContaining({
    file,
    message: expect.stringContaining("not assignable to parameter of type 'never'"),
  }),
];

describe('a command or event type nobody handles does not compile', () => {
  it('compiles as it stands', () => expect(domainTypeErrors()).toEqual([]));

  it.each<[string, Patch, string]>([
    [
      'an AI system command',
      {
        file: 'libs/domain/src/ai-system/commands.ts',
        find: 'export type AiSystemCommand =\n',
        insert: "  | OnSystem<'ForgottenCommand'>\n",
      },
      'libs/domain/src/ai-system/decide.ts',
    ],
    [
      'an AI system event',
      {
        file: 'libs/domain/src/ai-system/events.ts',
        find: 'export const AI_SYSTEM_EVENTS = {\n',
        insert: "  ForgottenEvent: v1(Closed({ systemId }, { description: 'forgotten' })),\n",
      },
      'libs/domain/src/ai-system/state.ts',
    ],
    [
      'a dataset command',
      {
        file: 'libs/domain/src/dataset/commands.ts',
        find: 'export type DatasetCommand = ',
        insert: "OnDataset<'ForgottenCommand'> | ",
      },
      'libs/domain/src/dataset/dataset.ts',
    ],
    [
      'a dataset event',
      {
        file: 'libs/domain/src/dataset/events.ts',
        find: 'export const DATASET_EVENTS = {\n',
        insert: "  ForgottenEvent: v1(Closed({ datasetId }, { description: 'forgotten' })),\n",
      },
      'libs/domain/src/dataset/dataset.ts',
    ],
  ])('%s', (_, patch, failingFile) => expect(domainTypeErrors(patch)).toEqual(unhandled(failingFile)));
});
