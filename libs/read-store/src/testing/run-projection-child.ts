/**
 * A projection process for crash tests: runs the counting projection over a
 * store, reporting each batch as it applies it, until the parent kills it.
 *
 * Arguments: <store kind> <store location> <read store kind> <read store location>
 */
import { runConsumerChild } from '../../../../test/support/consumer-child';
import { CountingConsumer } from './counting-consumer';

runConsumerChild(() => new CountingConsumer()).catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
