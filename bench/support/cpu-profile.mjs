// Preloaded with `node --import` (NODE_OPTIONS cannot carry --cpu-prof): profiles the process
// from its start and writes a V8 .cpuprofile to $KJOBS_CPU_PROFILE when it exits (bench/list.ts).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const file = process.env.KJOBS_CPU_PROFILE;
if (file) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  process.on('exit', () => {
    // A session on this thread answers synchronously, so this runs to the end inside 'exit'.
    session.post('Profiler.stop', (err, r) => {
      if (!err) writeFileSync(file, JSON.stringify(r.profile));
    });
  });
}
