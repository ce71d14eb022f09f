import { describe, expect, it } from 'vitest';
import { Deque } from '../src/index.js';

describe('Deque', () => {
  it('keeps FIFO order across growth and wrap-around', () => {
    const d = new Deque<number>();
    const model: number[] = [];
    let next = 0;
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < (round % 7) + 3; i++) {
        d.push(next);
        model.push(next++);
      }
      for (let i = 0; i < (round % 5) + 1; i++) expect(d.shift()).toBe(model.shift());
      expect(d.length).toBe(model.length);
      expect(d.peek()).toBe(model[0]);
      for (let i = -1; i <= model.length; i++) expect(d.at(i)).toBe(model[i]);
    }
    expect(d.drain()).toEqual(model);
    expect(d.shift()).toBeUndefined();
  });

  it('removeWhere keeps order', () => {
    const d = new Deque<number>();
    for (let i = 0; i < 10; i++) d.push(i);
    expect(d.removeWhere((x) => x % 3 === 0)).toBe(4);
    expect(d.drain()).toEqual([1, 2, 4, 5, 7, 8]);
  });
});
