// The simulated world runs `timeScale` times faster than the wall clock; every delay a BMC
// simulates is given in simulated milliseconds and waited in real ones.
export function realMs(simulatedMs: number, timeScale: number): number {
  return simulatedMs / timeScale;
}
