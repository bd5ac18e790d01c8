import t from 'tap';
import { runnerCases } from '../fixtures/runner-cases.js';

runnerCases(t, 'pglite');
