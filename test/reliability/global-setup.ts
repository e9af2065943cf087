import { clearParts } from './figures';

export default function globalSetup(): void {
  clearParts();
  (globalThis as { __reliabilityStarted?: number }).__reliabilityStarted = Date.now();
}
