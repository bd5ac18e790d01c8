import t from 'tap';
import { runnerCases } from '../helpers/runner-cases.js';

runnerCases(t, 'pglite');
