// The hourly retrain job. The model pipeline fills this in (issue: session model); for now it records the run.

export async function runRetrain(_env: Env, scheduledTime: number): Promise<{ trained: boolean }> {
  console.log(JSON.stringify({ job: "retrain", scheduledTime, trained: false, reason: "no model pipeline yet" }));
  return { trained: false };
}
