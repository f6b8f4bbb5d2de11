// What every OneNET Studio handler is given: the legacy API's context (a leaf: it imports no handler).
import type { OneNetContext } from '../onenet-http/context.ts';

export type StudioContext = OneNetContext;

/** The path of every Studio call: `/{pro_id}/{dev_name}/…`, and `/{tid}/…` for a task's calls. */
export interface StudioParams {
  pro_id: string;
  dev_name: string;
  tid?: string;
}
