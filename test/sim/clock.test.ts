// Virtual time when a callback moves the clock itself, as a blocking native (a microphone read) does.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../host/sim/clock.js';

describe('VirtualClock with a callback that blocks', () => {
  it('never goes backwards when a callback blocks past the end of advance()', () => {
    const clock = new VirtualClock();
    clock.setTimeout(() => (clock.now += 500), 10);
    clock.advance(100);
    expect(clock.now).toBe(510);
    clock.advance(10);
    expect(clock.now).toBe(520);
  });

  it('runs timers that fell due late, once, and counts an interval on from then (the firmware timer loop)', () => {
    const clock = new VirtualClock();
    const ran: string[] = [];
    let blocked = false;
    clock.setInterval(() => {
      ran.push(`tick ${clock.now}`);
      if (!blocked) {
        blocked = true;
        clock.now += 200; // blocks from 50 to 250: the ticks due at 100, 150 and 200 are missed
      }
    }, 50);
    clock.setTimeout(() => ran.push(`timeout ${clock.now}`), 60);
    clock.advance(120);
    // Due order after the block: the tick due at 100 would come after the timeout due at 60.
    expect(ran).toEqual(['tick 50', 'timeout 250', 'tick 250']);
    expect(clock.now).toBe(250);
    clock.advance(100);
    expect(ran.slice(3)).toEqual(['tick 300', 'tick 350']);
  });

  it('timers due between the end of advance() and where a block left the clock run in the next advance()', () => {
    const clock = new VirtualClock();
    const ran: number[] = [];
    clock.setTimeout(() => (clock.now += 100), 10);
    clock.setTimeout(() => ran.push(clock.now), 50);
    clock.advance(20);
    expect(ran).toEqual([]);
    clock.advance(0);
    expect(ran).toEqual([110]);
  });
});
