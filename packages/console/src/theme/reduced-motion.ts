// The system's "reduce motion" preference (prefers-reduced-motion, WCAG 2.3.3), followed live:
// the console then turns Ant Design's motion off (its `motion` token), so dialogs, questions and
// messages appear and go without zooming or sliding.
import { useEffect, useState } from 'react';

const query = '(prefers-reduced-motion: reduce)';

export function useReducedMotion(): boolean {
  const [reduced, setReduced] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const media = window.matchMedia(query);
    const changed = () => setReduced(media.matches);
    media.addEventListener('change', changed);
    return () => media.removeEventListener('change', changed);
  }, []);
  return reduced;
}
