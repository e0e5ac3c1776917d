/** What main.tsx connects at startup, for component tests that render parts of the app without it. */
import { connectRefLinksToStore } from '../src/app/refLinks';

connectRefLinksToStore();
