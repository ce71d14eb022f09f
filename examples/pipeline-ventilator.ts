// Parallel pipeline: a ventilator PUSHes TASKS tasks to 3 workers, each worker PUSHes its result
// to a sink, and the sink checks that every task's result arrived exactly once.
import { Pull, Push } from '@monocoque/pipeline';

const TASKS = 60;
const WORKERS = 3;

// The sink binds first, so results have somewhere to go.
const sink = new Pull();
await sink.bind('tcp://127.0.0.1:*');
const sinkEndpoint = sink.lastEndpoint!;

const ventilator = new Push();
await ventilator.bind('tcp://127.0.0.1:*');
const ventilatorEndpoint = ventilator.lastEndpoint!;
console.log(`ventilator on ${ventilatorEndpoint}, sink on ${sinkEndpoint}`);

const workers: { input: Pull; output: Push; done: Promise<number> }[] = [];
for (let w = 0; w < WORKERS; w++) {
  const input = new Pull();
  const output = new Push();
  input.connect(ventilatorEndpoint);
  output.connect(sinkEndpoint);
  const done = (async () => {
    let handled = 0;
    try {
      for await (const [task] of input) {
        const n = Number(task!.toString());
        await output.send(`${n} ${n * n} worker-${w}`); // the "work": squaring
        handled++;
      }
    } catch {
      // the socket was closed while waiting: the run is over
    }
    return handled;
  })();
  workers.push({ input, output, done });
}

const ventilating = (async () => {
  for (let n = 0; n < TASKS; n++) await ventilator.send(String(n));
})();

const seen = new Map<number, string>();
const perWorker = new Map<string, number>();
while (seen.size < TASKS) {
  const [result] = await sink.receive();
  const [n, square, worker] = result!.toString().split(' ');
  const task = Number(n);
  if (seen.has(task)) throw new Error(`task ${task} came back twice`);
  if (Number(square) !== task * task) throw new Error(`task ${task}: wrong result ${square}`);
  seen.set(task, worker!);
  perWorker.set(worker!, (perWorker.get(worker!) ?? 0) + 1);
}
await ventilating;

for (let n = 0; n < TASKS; n++) if (!seen.has(n)) throw new Error(`task ${n} missing`);
console.log(`sink: all ${TASKS} results arrived, each once and correct`);
for (const [worker, count] of [...perWorker].sort()) console.log(`  ${worker}: ${count} tasks`);

for (const { input, output } of workers) {
  input.close();
  output.close();
}
await Promise.all(workers.map((w) => w.done));
ventilator.close();
sink.close();
