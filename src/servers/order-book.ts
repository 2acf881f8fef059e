// The mock gateway's orders: the newest ones, in creation order, found by payOrderId or by mchOrderNo.
import { randomBytes } from 'node:crypto';

/** What the book needs of an order. */
export interface BookedOrder {
  payOrderId: string;
  mchId: string;
  mchOrderNo: string;
}

/** Orders the mock keeps by default; older ones are forgotten, as if they had expired. */
export const ORDER_BOOK_CAPACITY = 100_000;

/**
 * A payOrderId issued here ends in 8 digits that count the orders added, so finding one is
 * an array read instead of a hash lookup of a new string. The book is a ring: it holds the
 * newest `capacity` orders, so a long load test keeps its memory, and its mchOrderNo map,
 * bounded (a map of millions of orders made every lookup a cache miss). Orders loaded from the
 * sandbox store keep their ids and are found through a small map while they are held. Only the
 * merchant's own orders are found by mchOrderNo: the mock answers no other merchant.
 */
export class OrderBook<T extends BookedOrder> {
  private readonly ring: T[] = [];
  private added = 0;
  private readonly loaded = new Map<string, T>();
  private readonly byMchOrderNo = new Map<string, T>();
  // A random start, so ids from two runs at the same millisecond differ.
  private readonly base = randomBytes(4).readUInt32BE(0) % 1e8;

  constructor(
    private readonly mchId: string,
    private readonly capacity = ORDER_BOOK_CAPACITY,
  ) {}

  /** The id for the next order added: `prefix`, then `stamp`, then 8 digits. */
  nextId(prefix: string, stamp: string): string {
    return `${prefix}${stamp}${String((this.base + this.added) % 1e8).padStart(8, '0')}`;
  }

  /** Adds an order whose id came from nextId() just before; the oldest goes when the book is full. */
  add(order: T): void {
    const slot = this.added % this.capacity;
    const oldest = slot < this.ring.length ? this.ring[slot] : undefined;
    if (oldest !== undefined) {
      if (this.byMchOrderNo.get(oldest.mchOrderNo) === oldest) this.byMchOrderNo.delete(oldest.mchOrderNo);
      if (this.loaded.get(oldest.payOrderId) === oldest) this.loaded.delete(oldest.payOrderId);
    }
    if (slot === this.ring.length) this.ring.push(order);
    else this.ring[slot] = order;
    this.added++;
    if (order.mchId === this.mchId) this.byMchOrderNo.set(order.mchOrderNo, order);
  }

  /** Adds an order kept from an earlier run, under its own id. */
  load(order: T): void {
    this.add(order);
    this.loaded.set(order.payOrderId, order);
  }

  get(payOrderId: string): T | undefined {
    const count = (Number(payOrderId.slice(-8)) - this.base + 1e8) % 1e8;
    const order = count < this.added && count >= this.added - this.capacity ? this.ring[count % this.capacity] : undefined;
    return order !== undefined && order.payOrderId === payOrderId ? order : this.loaded.get(payOrderId);
  }

  /** The merchant's order with this mchOrderNo. */
  find(mchOrderNo: string): T | undefined {
    return this.byMchOrderNo.get(mchOrderNo);
  }

  /** Every order held, oldest first. */
  all(): T[] {
    return this.latest(this.capacity);
  }

  /** The newest orders, at most `count`, oldest first. */
  latest(count: number): T[] {
    const out: T[] = [];
    for (let i = Math.max(0, this.added - Math.min(count, this.capacity)); i < this.added; i++) out.push(this.ring[i % this.capacity]!);
    return out;
  }
}
