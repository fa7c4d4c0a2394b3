// Writes resources/report.schema.json from the zod model of a report (src/shared/domain/reports.ts).
import { writeFileSync } from 'node:fs';
import { reportJsonSchema } from '../src/main/core/reports/schema';
import { resourcePath } from '../src/main/core/util/paths';

writeFileSync(resourcePath('report.schema.json'), JSON.stringify(reportJsonSchema(), null, 2) + '\n');
