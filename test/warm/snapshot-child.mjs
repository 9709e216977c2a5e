// Runs one snapshot-store operation in its own process so that a test can SIGKILL it at a known step.
// argv: <built src dir> <snapshot|restore> <stateDir> <stack> <pauseAt step or "-">
const [buildDir, op, stateDir, stack, pauseAt] = process.argv.slice(2);
const { SnapshotStore } = await import(`${buildDir}/warm/snapshot-store.js`);
const onStep = async (step) => {
  process.stdout.write(`step ${step}\n`);
  if (step === pauseAt) {
    process.stdout.write("paused\n");
    await new Promise(() => setInterval(() => undefined, 1000));
  }
};
const { store } = await SnapshotStore.open({ stateDir, recipe: "snaptest", stack, onStep });
if (op === "snapshot") await store.takeSnapshot({ by: "child" });
else await store.restore();
process.stdout.write("done\n");
