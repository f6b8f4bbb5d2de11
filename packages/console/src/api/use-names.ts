// Names for the ids a page shows (products of a device list, plans of a device's history, a
// gateway): each distinct id asked once by its own GET, so a row reads "Smart meter", not "#2".
import { useEffect, useState } from 'react';

/** The names known so far, by id; an id not answered yet (or refused) has none. */
export function useNames(
  ids: readonly number[],
  fetchName: (id: number) => Promise<string>,
): ReadonlyMap<number, string> {
  const [names, setNames] = useState<ReadonlyMap<number, string>>(new Map());
  const wanted = [...new Set(ids)].sort((a, b) => a - b).join(',');
  // biome-ignore lint/correctness/useExhaustiveDependencies: `wanted` stands for the ids; fetchName is rebuilt each render
  useEffect(() => {
    let live = true;
    const missing = wanted
      .split(',')
      .filter((id) => id !== '')
      .map(Number)
      .filter((id) => !names.has(id));
    for (const id of missing) {
      fetchName(id).then(
        (name) => {
          if (live) setNames((previous) => new Map(previous).set(id, name));
        },
        () => {},
      );
    }
    return () => {
      live = false;
    };
  }, [wanted]);
  return names;
}
