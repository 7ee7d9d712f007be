import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Reads the CPU time (user + system, all threads) of a process, in seconds. */
export type CpuClock = () => number;

/** CPU clock of this process. */
export const clientCpuClock: CpuClock = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};

/**
 * Returns a CPU clock, read from /proc, for the child process whose command line contains
 * `marker`. Returns undefined where /proc is missing (outside Linux) or no child matches.
 */
export function childCpuClock(marker: string): CpuClock | undefined {
  const pid = findChild(marker);
  if (pid === undefined) return undefined;
  const ticksPerSecond = readClockTicks();
  return () => {
    const fields = readStatFields(pid);
    // After the command name, field 14 (utime) and field 15 (stime) sit at offsets 11 and 12.
    return fields ? (Number(fields[11]) + Number(fields[12])) / ticksPerSecond : Number.NaN;
  };
}

function findChild(marker: string): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = readStatFields(Number(entry));
    // Field 4 (ppid) sits at offset 1 after the command name.
    if (!fields || Number(fields[1]) !== process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) return Number(entry);
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return undefined;
}

/** Fields of /proc/PID/stat from field 3 (state) on, or undefined when the process is gone. */
function readStatFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function readClockTicks(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    if (Number.isInteger(ticks) && ticks > 0) return ticks;
  } catch {
    // getconf is missing. Linux reports 100 ticks per second on x86-64 and arm64.
  }
  return 100;
}
