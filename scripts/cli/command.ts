/** One CLI command: its help text and what it does. `run` returns the exit code. */
export interface Command {
  name: string;
  help: string;
  run(argv: string[]): Promise<number>;
}
