// Preloaded into a child process (node --import): at exit, writes the process's peak RSS (bytes) to the file
// named by BENCH_RSS_FILE, so the peak of a short-lived CLI run is read exactly, not sampled.
import fs from 'node:fs';

const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    fs.writeFileSync(file, String(process.resourceUsage().maxRSS * 1024));
  });
}
