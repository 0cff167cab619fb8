/**
 * One console connection to a served board: Espruino's REPL line editor,
 * ported from src/jsinteractive.c (jsiHandleChar, jsiHandleNewLine,
 * jsiConsoleRemoveInputLine / jsiConsoleReturnInputLine) closely enough for
 * the espruino CLI and a person on a terminal:
 *
 * - typed characters are echoed; Enter runs the line when its brackets
 *   balance, else the line continues after a `:` prompt; Alt-Enter (ESC LF)
 *   always continues. A line that returns a value shows `=value`.
 * - DLE (0x10) at the start of a line turns echo off for that line: no
 *   echo, no `=value` (the CLI sends every line so).
 * - Ctrl-C clears the line. Backspace deletes. ESC [ n d (the CLI's line
 *   numbers) and cursor keys are read and ignored (no cursor movement or
 *   history here).
 * - Output (print, errors) first removes the prompt and input line from
 *   the terminal; returnInputLine() shows them again, once per loop, as
 *   Espruino's idle loop does.
 * - Ctrl-E on an empty line answers `Espruino <version> <board>`.
 * Not emulated: the 2v25 binary packet protocol (DLE SOH ...; CLI 0.1.67
 * does not use it), tab completion (a tab is four spaces), the debugger.
 */
import { countBrackets } from './brackets.js';
import { formatResult } from './format.js';

export type LineResult = { ok: true; value: unknown } | { ok: false };

export interface ConsoleHost {
  /** Runs one complete input line (errors are the host's to print). */
  execute(line: string, session: ConsoleSession): LineResult;
  /** Called after every executed line: Espruino runs reset()/load() requests here. */
  afterLine(): void;
  /** For Ctrl-E: "Espruino 2v29 BANGLEJS2". */
  identify(): string;
}

type InputState = 'none' | 'cr' | 'dle' | 'esc' | 'esc-O' | 'csi' | 'csi-number';

const DLE = 0x10;
const ESC = 0x1b;
const CTRL_C = 0x03;
const CTRL_E = 0x05;

export class ConsoleSession {
  private inputLine = '';
  private state: InputState = 'none';
  private csiNumber = 0;
  /** echo(0) turns echo off for this console until echo(1). */
  private echoEnabled = true;
  /** DLE at the start of the line: this line runs silently. */
  private echoOffForLine = false;
  /** The prompt and input line are not on the terminal (output took them away). Initially shown, as on a board. */
  private inputLineRemoved = false;

  constructor(
    private readonly write: (text: string) => void,
    private readonly host: ConsoleHost,
  ) {}

  /** Characters from the terminal, processed in order, then the prompt comes back. */
  receive(text: string): void {
    for (const ch of text) this.handleChar(ch);
    this.returnInputLine();
  }

  /** Console output from the board (text ends with '\n' per line). */
  output(text: string): void {
    this.removeInputLine();
    this.print(text);
  }

  setEcho(on: boolean): void {
    this.echoEnabled = on;
  }

  /** Shows the prompt and input line again if output took them away. */
  returnInputLine(): void {
    if (!this.inputLineRemoved) return;
    this.inputLineRemoved = false;
    if (this.echo()) this.print('>' + this.inputLine.replace(/\n/g, '\n:'));
  }

  private echo(): boolean {
    return this.echoEnabled && !this.echoOffForLine;
  }

  private showInputLine(): boolean {
    return this.echo() && !this.inputLineRemoved;
  }

  /** Espruino's jsiConsolePrint: every '\n' goes out as "\r\n". */
  private print(text: string): void {
    this.write(text.replace(/\n/g, '\r\n'));
  }

  private removeInputLine(): void {
    if (this.inputLineRemoved) return;
    this.inputLineRemoved = true;
    if (!this.echo()) return;
    // Up to the first line of a multi-line input, to its start, then erase to the end of the screen.
    const lines = this.inputLine.split('\n').length - 1;
    this.write('\x1b[A'.repeat(lines) + '\r\x1b[J');
  }

  private handleChar(ch: string): void {
    const code = ch.charCodeAt(0);
    switch (this.state) {
      case 'esc':
        this.state = ch === 'O' ? 'esc-O' : ch === '[' ? 'csi' : 'none';
        if (ch === '\n') this.newLine(false); // Alt-Enter: a newline that never executes
        return;
      case 'esc-O':
        this.state = 'none'; // Home/End/numpad keys: no cursor here
        return;
      case 'csi':
        if (ch >= '0' && ch <= '9') {
          this.csiNumber = code - 48;
          this.state = 'csi-number';
        } else {
          this.state = 'none'; // arrow keys
        }
        return;
      case 'csi-number':
        if (ch >= '0' && ch <= '9') {
          this.csiNumber = this.csiNumber * 10 + code - 48;
          return;
        }
        // ESC [ n d is the CLI's "line number" marker; ESC [ 2 H erases the line.
        if (ch === 'H' && this.csiNumber === 2) this.clearInputLine();
        this.state = 'none';
        return;
    }
    if (code === 0) {
      this.state = 'none';
    } else if (code === 1) {
      // DLE SOH starts a 2v25 packet, which is not emulated; ignored like any control character.
    } else if (code === CTRL_C) {
      this.clearInputLine();
      this.echoOffForLine = false;
    } else if (code === CTRL_E) {
      if (this.inputLine === '') {
        this.removeInputLine();
        this.print(this.host.identify() + '\n');
      }
    } else if (code === DLE) {
      if (this.inputLine === '') this.echoOffForLine = true;
      this.state = 'dle';
    } else if (code === ESC) {
      this.state = 'esc';
    } else {
      const previous = this.state;
      this.state = 'none';
      if (code === 8 || code === 0x7f) this.backspace();
      else if (ch === '\n' && previous === 'cr') return; // "\r\n": handled at the '\r'
      else if (ch === '\r' || ch === '\n') {
        if (ch === '\r') this.state = 'cr';
        this.newLine(true);
      } else if (code >= 32 || ch === '\t') this.append(ch === '\t' ? '    ' : ch);
    }
  }

  private append(text: string): void {
    this.inputLine += text;
    if (this.showInputLine()) this.write(text);
  }

  private backspace(): void {
    if (this.inputLine === '') return;
    const deleted = this.inputLine[this.inputLine.length - 1];
    if (deleted === '\n') {
      // Joining two lines: take the input off the terminal and let returnInputLine draw it again.
      this.removeInputLine();
      this.inputLine = this.inputLine.slice(0, -1);
      return;
    }
    this.inputLine = this.inputLine.slice(0, -1);
    if (this.showInputLine()) this.write('\x08 \x08');
  }

  private clearInputLine(): void {
    if (this.inputLine === '') return;
    this.removeInputLine();
    this.inputLine = '';
  }

  private newLine(execute: boolean): void {
    if (!execute || countBrackets(this.inputLine) > 0) {
      if (this.showInputLine()) this.print('\n:');
      this.inputLine += '\n';
      return;
    }
    if (this.showInputLine()) this.print('\n');
    if (!this.echoOffForLine) this.inputLineRemoved = true;
    const line = this.inputLine.trimEnd();
    this.inputLine = '';
    const result = this.host.execute(line, this);
    if (result.ok && this.echo() && line !== '') this.output(`=${formatResult(result.value)}\n`);
    this.echoOffForLine = false;
    this.host.afterLine();
  }
}
