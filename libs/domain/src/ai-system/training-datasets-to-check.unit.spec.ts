import { SYSTEM, TRAINING_DATASET, cmd, run } from '../testing/ai-system-fixtures';
import { stateFrom } from '../shared/decider';
import { aiSystemDecider } from './decide';
import { trainingDatasetsToCheck } from './deployment';

const stateAfter = (...commands: Parameters<typeof run>[0]) => stateFrom(aiSystemDecider(), run(commands));

describe('the training datasets a deployment must check', () => {
  it('are the datasets the version was registered as trained on', () =>
    expect(
      trainingDatasetsToCheck(
        stateAfter(
          cmd.register(),
          cmd.registerVersion('1.0.0'),
          cmd.registerVersion('2.0.0', { trainingDatasetIds: [TRAINING_DATASET, 'icu-2023'] }),
        ),
        '2.0.0',
      ),
    ).toEqual([TRAINING_DATASET, 'icu-2023']));

  it('are none for a version the system does not have, which the decider refuses', () =>
    expect(
      trainingDatasetsToCheck(stateAfter(cmd.register(), cmd.registerVersion('1.0.0')), '9.9.9'),
    ).toEqual([]));

  it(`are none before ${SYSTEM} is registered`, () =>
    expect(trainingDatasetsToCheck(stateAfter(), '1.0.0')).toEqual([]));
});
