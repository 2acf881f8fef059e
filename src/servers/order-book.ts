// The mock gateway's orders: kept in creation order, found by payOrderId or by mchOrderNo.
import { randomBytes } from 'node:crypto';

/** What the book needs of an order. */
export interface BookedOrder {
  payOrderId: string;
  mchId: string;
  mchOrderNo: string;
}

/**
 * A payOrderId issued here ends in 8 digits that give the order's place in the list, so finding
 * it is an array read instead of a hash-table insert and lookup of a new string per order (under
 * load that map was a tenth of the mock's time per request). Orders loaded from the sandbox
 * store keep their ids and are found through a small map. Only the merchant's own orders are
 * found by mchOrderNo: the mock answers no other merchant.
 */
export class OrderBook<T extends BookedOrder> {
  private readonly list: T[] = [];
  private readonly loaded = new Map<string, T>();
  private readonly byMchOrderNo = new Map<string, T>();
  // A random start, so ids from two runs at the same millisecond differ.
  private readonly base = randomBytes(4).readUInt32BE(0) % 1e8;

  constructor(private readonly mchId: string) {}

  /** The id for the next order added: `prefix`, then `stamp`, then 8 digits. */
  nextId(prefix: string, stamp: string): string {
    return `${prefix}${stamp}${String((this.base + this.list.length) % 1e8).padStart(8, '0')}`;
  }

  /** Adds an order whose id came from nextId() just before. */
  add(order: T): void {
    this.list.push(order);
    if (order.mchId === this.mchId) this.byMchOrderNo.set(order.mchOrderNo, order);
  }

  /** Adds an order kept from an earlier run, under its own id. */
  load(order: T): void {
    this.loaded.set(order.payOrderId, order);
    this.add(order);
  }

  get(payOrderId: string): T | undefined {
    const place = (Number(payOrderId.slice(-8)) - this.base + 1e8) % 1e8;
    const order = this.list[place];
    return order !== undefined && order.payOrderId === payOrderId ? order : this.loaded.get(payOrderId);
  }

  /** The merchant's order with this mchOrderNo. */
  find(mchOrderNo: string): T | undefined {
    return this.byMchOrderNo.get(mchOrderNo);
  }

  all(): T[] {
    return [...this.list];
  }

  /** The newest orders, at most `count`. */
  latest(count: number): T[] {
    return this.list.slice(-count);
  }
}
