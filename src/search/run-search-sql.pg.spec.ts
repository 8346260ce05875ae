import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { buildExperimentSearchSql } from './experiment-search-sql';
import { buildModelVersionSearchSql } from './model-version-search-sql';
import { buildRegisteredModelSearchSql } from './registered-model-search-sql';
import { searchRunPage, RunSearchRow } from './run-search-pager';
import { SearchSyntaxError } from './search-error';
import { planRunSearch, RunSearchPosition, RunSearchSqlInput } from './run-search-sql';
import { SqlQuery } from './sql-builder';

/**
 * Runs the search SQL against a real Postgres. The spec creates its own database on the server
 * given by KILN_TEST_DATABASE_URL (default: the local Postgres), applies prisma/migrations in
 * order, and seeds the data set of the MLflow 2.10 search recording
 * (shared/mlflow-traffic/client-search.jsonl, step `seed`) with the recorded run ids. Each
 * recorded runs/search answer (S001–S106) must then come back in exactly the recorded order.
 */

const ADMIN_URL = process.env.KILN_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const MIGRATIONS = path.resolve(__dirname, '..', '..', 'prisma', 'migrations');
const T0 = 1700000000000;
const MINUTE = 60000;

/** The run ids of run-00 … run-29 as recorded (so id-ordered cases S085/S086 match too). */
const RUN_IDS = [
  '475f559ca2924f29bf7a2cb27f22eed1',
  '14f81b0028d746d2949890325f7a8a07',
  'f3944be90fab43c28957d3e13ad18b7a',
  'dd4cf7caf066462ab8df9a6350d30227',
  '690b9470ab6f4da995de479360a55c9a',
  '9d1015ef358a4d299c2319fe689941a6',
  'b8e0133dcf774a0b8f16be475c72f9bd',
  '70d270b1408449af876b9d1643c87b26',
  '9207076d97014405a99e24c5b4cfe4fd',
  'ee488485a9bf4abbb19c9c8a15bf3470',
  '81bd0504d8494b028157b1d929e885f0',
  '77a5329e981041aab84ecac8032cb6b9',
  '2a19f7f53eea4e58bc8a60c4a157bfec',
  '98bfff1a80fc4335b8c8c629162fbf6f',
  '0cd52a149b3e459585731e24687e8a87',
  'f1e284ede9334e338a8c3a2f580a5fa9',
  '62919aced60042d09ec4d87f47e0aea5',
  'd2b66417966649c3a2908783c77ed522',
  '29597f3ee7d2412595169af477000677',
  '4c96e4206b184d54a365e6a0f46370fd',
  'ff9163ce768644e0a544b64d82f3af28',
  'bed6c3ce61b649898358ba84efada45f',
  '26afb4647dd745b38d1a0ae9f572e9ce',
  '546ea565fc51408fb95fd66cc402ebc5',
  'b8b357d1ed5247f0963ac5b27aa7e343',
  'ca43229e5eb54001bba561e0a7146ebc',
  '0ab213986e1c4c59bb5909c3d2564dd0',
  '3c60e5374c024409afd7cfc4687c43af',
  '20a864bef16346feb5e6ba5489fb4618',
  '9b489ef89cb6427fb453c6851516de2d',
];
const DELETED_RUNS = new Set([3, 11, 22]);

/** A recorded request: the search, and the page (offset and size) the client asked for. */
type RunSearch = RunSearchSqlInput & { offset: number; limit: number };

/** Recorded runs/search calls: [step, request, expected run numbers in order]. */
const RECORDED_RUN_SEARCHES: Array<[string, RunSearch, number[]]> = [
  [
    'S001',
    {
      experimentIds: [1, 2],
      filter: '',
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [
      29, 28, 27, 26, 25, 24, 23, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 10, 9, 8, 7, 6, 5, 4, 2,
      1, 0,
    ],
  ],
  [
    'S002',
    {
      experimentIds: [1],
      filter: '',
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [19, 18, 17, 16, 15, 14, 13, 12, 10, 9, 8, 7, 6, 5, 4, 2, 1, 0],
  ],
  [
    'S003',
    {
      experimentIds: [1, 2],
      filter: '',
      orderBy: [],
      viewType: 'DELETED_ONLY',
      offset: 0,
      limit: 1000,
    },
    [22, 11, 3],
  ],
  [
    'S004',
    { experimentIds: [1, 2], filter: '', orderBy: [], viewType: 'ALL', offset: 0, limit: 1000 },
    [
      29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5,
      4, 3, 2, 1, 0,
    ],
  ],
  [
    'S005',
    {
      experimentIds: [2],
      filter: '',
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [29, 28, 27, 26, 25, 24, 23, 21, 20],
  ],
  [
    'S006',
    {
      experimentIds: [1, 2],
      filter: 'metrics.loss = 0.26',
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [8, 7],
  ],
  [
    'S007',
    {
      experimentIds: [1, 2],
      filter: 'metrics.loss != 0.26',
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [29, 28, 27, 26, 25, 24, 23, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 10, 9, 6, 5, 4, 2, 1, 0],
  ],
  [
    'S008',
    {
      experimentIds: [1, 2],
      filter: 'metrics.loss < 0.26',
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [6, 5, 4, 2, 1, 0],
  ],
  [
    'S009',
    {
      experimentIds: [1, 2],
      filter: 'metrics.loss <= 0.26',
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [8, 7, 6, 5, 4, 2, 1, 0],
  ],
  [
    'S010',
    {
      experimentIds: [1, 2],
      filter: 'metrics.loss > 0.26',
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [29, 28, 27, 26, 25, 24, 23, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 10, 9],
  ],
  [
    'S011',
    {
      experimentIds: [1, 2],
      filter: 'metrics.loss >= 0.26',
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [29, 28, 27, 26, 25, 24, 23, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 10, 9, 8, 7],
  ],
  [
    'S012',
    {
      experimentIds: [1, 2],
      filter: 'metrics.loss < 1e-1',
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [1, 0],
  ],
  [
    'S013',
    {
      experimentIds: [1, 2],
      filter: 'metrics.acc > 0',
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [28, 27, 26, 25, 24, 21, 20, 19, 18, 16, 15, 14, 13, 12, 10, 9, 8, 7, 6, 4, 2, 1, 0],
  ],
  [
    'S014',
    {
      experimentIds: [1, 2],
      filter: 'metrics.loss > -1',
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [
      29, 28, 27, 26, 25, 24, 23, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 10, 9, 8, 7, 6, 5, 4, 2,
      1, 0,
    ],
  ],
  [
    'S015',
    {
      experimentIds: [1, 2],
      filter: 'metrics.acc >= 0.7',
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [28, 27, 26, 25, 24, 21, 20, 19, 18, 16, 15, 14, 13, 12, 10],
  ],
  [
    'S016',
    {
      experimentIds: [1, 2],
      filter: 'metrics.nope > 0',
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [],
  ],
  [
    'S017',
    {
      experimentIds: [1, 2],
      filter: 'metrics.`loss` <= 0.2',
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [5, 4, 2, 1, 0],
  ],
  [
    'S018',
    {
      experimentIds: [1, 2],
      filter: 'metric.loss < 0.2',
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [4, 2, 1, 0],
  ],
  [
    'S019',
    {
      experimentIds: [1, 2],
      filter: 'metrics.long_metric < 0.01',
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [0],
  ],
  [
    'S020',
    {
      experimentIds: [1, 2],
      filter: "params.lr = '0.01'",
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [28, 25, 19, 16, 13, 10, 7, 4, 1],
  ],
  [
    'S021',
    {
      experimentIds: [1, 2],
      filter: "params.lr != '0.01'",
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [29, 27, 26, 24, 23, 21, 20, 18, 17, 15, 14, 12, 9, 8, 6, 5, 2, 0],
  ],
  [
    'S022',
    {
      experimentIds: [1, 2],
      filter: "params.optimizer LIKE 'adam%'",
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [28, 27, 24, 23, 20, 19, 16, 15, 12, 8, 7, 4, 0],
  ],
  [
    'S023',
    {
      experimentIds: [1, 2],
      filter: "params.optimizer LIKE '%prop'",
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [26, 18, 14, 10, 6, 2],
  ],
  [
    'S024',
    {
      experimentIds: [1, 2],
      filter: "params.optimizer ILIKE 'ADAM%'",
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [28, 27, 24, 23, 20, 19, 16, 15, 12, 8, 7, 4, 0],
  ],
  [
    'S025',
    {
      experimentIds: [1, 2],
      filter: "params.optimizer LIKE 'ADAM%'",
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [],
  ],
  [
    'S026',
    {
      experimentIds: [1, 2],
      filter: "params.batch_size = '32'",
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [26, 18, 14, 10, 6, 2],
  ],
  [
    'S027',
    {
      experimentIds: [1, 2],
      filter: 'params.lr = "0.1"',
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [29, 26, 23, 20, 17, 14, 8, 5, 2],
  ],
  [
    'S028',
    {
      experimentIds: [1, 2],
      filter: "param.lr = '0.1' and parameters.optimizer = 'adam'",
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [20, 8],
  ],
  [
    'S030',
    {
      experimentIds: [1, 2],
      filter: "tags.team = 'vision'",
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [19, 18, 17, 16, 15, 14, 13, 12, 10, 9, 8, 7, 6, 5, 4, 2, 1, 0],
  ],
  [
    'S031',
    {
      experimentIds: [1, 2],
      filter: "tags.env != 'prod'",
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [29, 28, 26, 25, 23, 20, 19, 17, 16, 14, 13, 10, 8, 7, 5, 4, 2, 1],
  ],
  [
    'S032',
    {
      experimentIds: [1, 2],
      filter: "tags.team LIKE 'vis%'",
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [19, 18, 17, 16, 15, 14, 13, 12, 10, 9, 8, 7, 6, 5, 4, 2, 1, 0],
  ],
  [
    'S033',
    {
      experimentIds: [1, 2],
      filter: "tags.team ILIKE 'VIS%'",
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [19, 18, 17, 16, 15, 14, 13, 12, 10, 9, 8, 7, 6, 5, 4, 2, 1, 0],
  ],
  [
    'S034',
    {
      experimentIds: [1, 2],
      filter: "tags.`model type` = 'cnn'",
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [28, 26, 24, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0],
  ],
  [
    'S035',
    {
      experimentIds: [1, 2],
      filter: "tags.`dotted.key` = 'v1'",
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [29, 25, 21, 17, 13, 9, 5, 1],
  ],
  [
    'S036',
    {
      experimentIds: [1, 2],
      filter: 'tags."dotted.key" = \'v2\'',
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [26, 18, 14, 10, 6, 2],
  ],
  [
    'S037',
    {
      experimentIds: [1, 2],
      filter: "tags.`mlflow.runName` = 'run-07'",
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [7],
  ],
  [
    'S038',
    {
      experimentIds: [1, 2],
      filter: "tags.mlflow.runName LIKE 'run-0%'",
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [9, 8, 7, 6, 5, 4, 2, 1, 0],
  ],
  [
    'S039',
    {
      experimentIds: [1, 2],
      filter: "tag.team = 'nlp'",
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [29, 28, 27, 26, 25, 24, 23, 21, 20],
  ],
  [
    'S040',
    {
      experimentIds: [1, 2],
      filter: "attributes.status = 'FAILED'",
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [29, 24, 19, 14, 9, 4],
  ],
  [
    'S041',
    {
      experimentIds: [1, 2],
      filter: "status != 'FINISHED'",
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [29, 27, 24, 20, 19, 14, 13, 9, 6, 4],
  ],
  [
    'S044',
    {
      experimentIds: [1, 2],
      filter: "attributes.run_name = 'run-05'",
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [5],
  ],
  [
    'S045',
    {
      experimentIds: [1, 2],
      filter: "run_name LIKE 'run-1%'",
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [19, 18, 17, 16, 15, 14, 13, 12, 10],
  ],
  [
    'S046',
    {
      experimentIds: [1, 2],
      filter: "attributes.run_name LIKE 'run-0_'",
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [9, 8, 7, 6, 5, 4, 2, 1, 0],
  ],
  [
    'S047',
    {
      experimentIds: [1, 2],
      filter: "run_name ILIKE 'RUN-2%'",
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [29, 28, 27, 26, 25, 24, 23, 21, 20],
  ],
  [
    'S050',
    {
      experimentIds: [1, 2],
      filter: "attributes.`Run name` = 'run-09'",
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [9],
  ],
  [
    'S051',
    {
      experimentIds: [1, 2],
      filter: "attributes.run_id = '690b9470ab6f4da995de479360a55c9a'",
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [4],
  ],
  [
    'S052',
    {
      experimentIds: [1, 2],
      filter:
        "attributes.run_id IN ('690b9470ab6f4da995de479360a55c9a', '9d1015ef358a4d299c2319fe689941a6', '26afb4647dd745b38d1a0ae9f572e9ce')",
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [5, 4],
  ],
  [
    'S053',
    {
      experimentIds: [1, 2],
      filter:
        "attributes.run_id NOT IN ('690b9470ab6f4da995de479360a55c9a', '9d1015ef358a4d299c2319fe689941a6')",
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [29, 28, 27, 26, 25, 24, 23, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 10, 9, 8, 7, 6, 2, 1, 0],
  ],
  [
    'S054',
    {
      experimentIds: [1, 2],
      filter:
        "attributes.run_id IN ('dd4cf7caf066462ab8df9a6350d30227', '690b9470ab6f4da995de479360a55c9a')",
      orderBy: [],
      viewType: 'DELETED_ONLY',
      offset: 0,
      limit: 1000,
    },
    [3],
  ],
  [
    'S055',
    {
      experimentIds: [1, 2],
      filter: 'attributes.start_time >= 1700000600000',
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [29, 28, 27, 26, 25, 24, 23, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 10],
  ],
  [
    'S056',
    {
      experimentIds: [1, 2],
      filter: 'attributes.start_time < 1700000300000',
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [4, 2, 1, 0],
  ],
  [
    'S057',
    {
      experimentIds: [1, 2],
      filter: 'attributes.start_time = 1700000120000',
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [2],
  ],
  [
    'S058',
    {
      experimentIds: [1, 2],
      filter: 'attributes.created > 1700001500000',
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [29, 28, 27, 26],
  ],
  [
    'S059',
    {
      experimentIds: [1, 2],
      filter: 'attributes.end_time > 1700001200000',
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [29, 28, 26, 25, 24, 23, 21],
  ],
  [
    'S060',
    {
      experimentIds: [1, 2],
      filter: 'attributes.end_time <= 1700000600000',
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [9, 8, 7, 5, 4, 2, 1, 0],
  ],
  [
    'S061',
    {
      experimentIds: [1, 2],
      filter: 'attributes.end_time != 0',
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [29, 28, 26, 25, 24, 23, 21, 19, 18, 17, 16, 15, 14, 12, 10, 9, 8, 7, 5, 4, 2, 1, 0],
  ],
  [
    'S062',
    {
      experimentIds: [1, 2],
      filter: "attributes.artifact_uri LIKE '%b8e0133dcf774a0b8f16be475c72f9bd%'",
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [6],
  ],
  [
    'S063',
    {
      experimentIds: [1, 2],
      filter: "attributes.user_id = 'alice'",
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [28, 26, 24, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0],
  ],
  [
    'S064',
    {
      experimentIds: [1, 2],
      filter: "run.status = 'FAILED' and attr.run_name LIKE 'run-%'",
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [29, 24, 19, 14, 9, 4],
  ],
  [
    'S065',
    {
      experimentIds: [1, 2],
      filter: "params.lr = '0.1' and metrics.loss < 0.6 and tags.team = 'vision'",
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [17, 14, 8, 5, 2],
  ],
  [
    'S066',
    {
      experimentIds: [1, 2],
      filter: "params.optimizer = 'adam' AND attributes.status = 'FINISHED'",
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [28, 16, 12, 8, 0],
  ],
  [
    'S067',
    {
      experimentIds: [1, 2],
      filter: 'metrics.loss > 0.2 and metrics.loss < 0.5 and metrics.acc > 0',
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [14, 13, 12, 10, 9, 8, 7, 6],
  ],
  [
    'S068',
    {
      experimentIds: [1, 2],
      filter: "params.lr = '0.1' and params.lr = '0.01'",
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [],
  ],
  [
    'S069',
    {
      experimentIds: [1, 2],
      filter: '',
      orderBy: ['metrics.loss ASC'],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 10,
    },
    [0, 1, 2, 4, 5, 6, 8, 7, 9, 10],
  ],
  [
    'S070',
    {
      experimentIds: [1, 2],
      filter: '',
      orderBy: ['metrics.loss DESC'],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 10,
    },
    [29, 28, 27, 26, 25, 24, 23, 21, 20, 19],
  ],
  [
    'S071',
    {
      experimentIds: [2],
      filter: '',
      orderBy: ['metrics.acc DESC'],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [28, 27, 26, 25, 24, 21, 20, 29, 23],
  ],
  [
    'S072',
    {
      experimentIds: [2],
      filter: '',
      orderBy: ['metrics.acc ASC'],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [20, 21, 24, 25, 26, 27, 28, 29, 23],
  ],
  [
    'S073',
    {
      experimentIds: [2],
      filter: '',
      orderBy: ['metrics.`loss`'],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [20, 21, 23, 24, 25, 26, 27, 28, 29],
  ],
  [
    'S074',
    {
      experimentIds: [2],
      filter: '',
      orderBy: ['params.batch_size ASC'],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [27, 23, 29, 25, 21, 26, 28, 24, 20],
  ],
  [
    'S075',
    {
      experimentIds: [2],
      filter: '',
      orderBy: ['params.lr DESC'],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [29, 26, 23, 20, 28, 25, 27, 24, 21],
  ],
  [
    'S076',
    {
      experimentIds: [2],
      filter: '',
      orderBy: ['attributes.start_time ASC'],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [20, 21, 23, 24, 25, 26, 27, 28, 29],
  ],
  [
    'S077',
    {
      experimentIds: [2],
      filter: '',
      orderBy: ['start_time DESC'],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [29, 28, 27, 26, 25, 24, 23, 21, 20],
  ],
  [
    'S078',
    {
      experimentIds: [2],
      filter: '',
      orderBy: ['attributes.end_time ASC'],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [21, 23, 24, 25, 26, 28, 29, 27, 20],
  ],
  [
    'S079',
    {
      experimentIds: [2],
      filter: '',
      orderBy: ['end_time DESC'],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [29, 28, 26, 25, 24, 23, 21, 27, 20],
  ],
  [
    'S080',
    {
      experimentIds: [2],
      filter: '',
      orderBy: ['attributes.run_name DESC'],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [29, 28, 27, 26, 25, 24, 23, 21, 20],
  ],
  [
    'S081',
    {
      experimentIds: [2],
      filter: '',
      orderBy: ['attributes.status ASC'],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [29, 24, 28, 26, 25, 23, 21, 27, 20],
  ],
  [
    'S082',
    {
      experimentIds: [2],
      filter: '',
      orderBy: ['tags.env ASC'],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [29, 28, 26, 25, 23, 20, 27, 24, 21],
  ],
  [
    'S083',
    {
      experimentIds: [2],
      filter: '',
      orderBy: ['tags.`model type` DESC'],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [29, 27, 25, 23, 21, 28, 26, 24, 20],
  ],
  [
    'S084',
    {
      experimentIds: [2],
      filter: '',
      orderBy: ['params.lr ASC', 'metrics.loss DESC'],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [27, 24, 21, 28, 25, 29, 26, 23, 20],
  ],
  [
    'S085',
    {
      experimentIds: [2],
      filter: '',
      orderBy: ['attributes.run_id ASC'],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [26, 28, 27, 23, 29, 24, 21, 25, 20],
  ],
  [
    'S086',
    {
      experimentIds: [2],
      filter: '',
      orderBy: ['attributes.artifact_uri ASC'],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [26, 28, 27, 23, 29, 24, 21, 25, 20],
  ],
  [
    'S087',
    {
      experimentIds: [2],
      filter: '',
      orderBy: ['created DESC'],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [29, 28, 27, 26, 25, 24, 23, 21, 20],
  ],
  [
    'S088',
    {
      experimentIds: [2],
      filter: '',
      orderBy: ['attributes.user_id DESC'],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [29, 27, 25, 23, 21, 28, 26, 24, 20],
  ],
  [
    'S089',
    {
      experimentIds: [1, 2],
      filter: "params.optimizer = 'adam'",
      orderBy: ['metrics.loss DESC'],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 1000,
    },
    [28, 24, 20, 16, 12, 8, 4, 0],
  ],
  [
    'S090',
    {
      experimentIds: [1, 2],
      filter: '',
      orderBy: ['attributes.run_name ASC'],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 7,
    },
    [0, 1, 2, 4, 5, 6, 7],
  ],
  [
    'S091',
    {
      experimentIds: [1, 2],
      filter: '',
      orderBy: ['attributes.run_name ASC'],
      viewType: 'ACTIVE_ONLY',
      offset: 7,
      limit: 7,
    },
    [8, 9, 10, 12, 13, 14, 15],
  ],
  [
    'S092',
    {
      experimentIds: [1, 2],
      filter: '',
      orderBy: ['attributes.run_name ASC'],
      viewType: 'ACTIVE_ONLY',
      offset: 14,
      limit: 7,
    },
    [16, 17, 18, 19, 20, 21, 23],
  ],
  [
    'S093',
    {
      experimentIds: [1, 2],
      filter: '',
      orderBy: ['attributes.run_name ASC'],
      viewType: 'ACTIVE_ONLY',
      offset: 21,
      limit: 7,
    },
    [24, 25, 26, 27, 28, 29],
  ],
  [
    'S094',
    {
      experimentIds: [1, 2],
      filter: '',
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 7,
    },
    [29, 28, 27, 26, 25, 24, 23],
  ],
  [
    'S095',
    {
      experimentIds: [1, 2],
      filter: '',
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 7,
      limit: 7,
    },
    [21, 20, 19, 18, 17, 16, 15],
  ],
  [
    'S096',
    {
      experimentIds: [1, 2],
      filter: '',
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 14,
      limit: 7,
    },
    [14, 13, 12, 10, 9, 8, 7],
  ],
  [
    'S097',
    {
      experimentIds: [1, 2],
      filter: '',
      orderBy: [],
      viewType: 'ACTIVE_ONLY',
      offset: 21,
      limit: 7,
    },
    [6, 5, 4, 2, 1, 0],
  ],
  [
    'S098',
    {
      experimentIds: [1, 2],
      filter: '',
      orderBy: ['metrics.loss DESC'],
      viewType: 'ALL',
      offset: 0,
      limit: 7,
    },
    [29, 28, 27, 26, 25, 24, 23],
  ],
  [
    'S099',
    {
      experimentIds: [1, 2],
      filter: '',
      orderBy: ['metrics.loss DESC'],
      viewType: 'ALL',
      offset: 7,
      limit: 7,
    },
    [22, 21, 20, 19, 18, 17, 16],
  ],
  [
    'S100',
    {
      experimentIds: [1, 2],
      filter: '',
      orderBy: ['metrics.loss DESC'],
      viewType: 'ALL',
      offset: 14,
      limit: 7,
    },
    [15, 14, 13, 12, 11, 10, 9],
  ],
  [
    'S101',
    {
      experimentIds: [1, 2],
      filter: '',
      orderBy: ['metrics.loss DESC'],
      viewType: 'ALL',
      offset: 21,
      limit: 7,
    },
    [8, 7, 6, 5, 4, 3, 2],
  ],
  [
    'S102',
    {
      experimentIds: [1, 2],
      filter: '',
      orderBy: ['metrics.loss DESC'],
      viewType: 'ALL',
      offset: 28,
      limit: 7,
    },
    [1, 0],
  ],
  [
    'S103',
    {
      experimentIds: [1, 2],
      filter: '',
      orderBy: ['attributes.start_time ASC'],
      viewType: 'ACTIVE_ONLY',
      offset: 0,
      limit: 9,
    },
    [0, 1, 2, 4, 5, 6, 7, 8, 9],
  ],
  [
    'S104',
    {
      experimentIds: [1, 2],
      filter: '',
      orderBy: ['attributes.start_time ASC'],
      viewType: 'ACTIVE_ONLY',
      offset: 9,
      limit: 9,
    },
    [10, 12, 13, 14, 15, 16, 17, 18, 19],
  ],
  [
    'S105',
    {
      experimentIds: [1, 2],
      filter: '',
      orderBy: ['attributes.start_time ASC'],
      viewType: 'ACTIVE_ONLY',
      offset: 18,
      limit: 9,
    },
    [20, 21, 23, 24, 25, 26, 27, 28, 29],
  ],
  [
    'S106',
    {
      experimentIds: [1, 2],
      filter: '',
      orderBy: ['attributes.start_time ASC'],
      viewType: 'ACTIVE_ONLY',
      offset: 27,
      limit: 9,
    },
    [],
  ],
];

let admin: Client;
let db: Client;
let databaseName: string;

async function query<T>(sql: SqlQuery): Promise<T[]> {
  return (await db.query(sql.text, sql.values)).rows as T[];
}

/**
 * The page at `offset`, reached the way a client reaches it: by following the positions of the
 * pages of `limit` runs before it.
 */
async function searchRuns({ offset, limit, ...search }: RunSearch): Promise<string[]> {
  const plan = planRunSearch(search);
  const execute = (sql: SqlQuery) => query<RunSearchRow>(sql);
  let position: RunSearchPosition | undefined = { section: 0, skip: 0 };
  for (let seen = 0; seen < offset && position; seen += limit) {
    position = (await searchRunPage(plan, position, limit, execute)).next;
  }
  return position ? (await searchRunPage(plan, position, limit, execute)).ids : [];
}

const runNumbers = (ids: string[]) => ids.map((id) => RUN_IDS.indexOf(id));

async function seedRecordedDataSet(): Promise<void> {
  const defaults = await db.query<{ creation_time: string }>(
    'SELECT creation_time FROM experiments WHERE experiment_id = 0',
  );
  const base = Number(defaults.rows[0].creation_time);
  const experiments: Array<[number, string, string, number, number, Array<[string, string]>]> = [
    [
      1,
      'search-exp-a',
      'active',
      base + 1000,
      base + 1000,
      [
        ['team', 'vision'],
        ['priority', 'high'],
      ],
    ],
    [2, 'search-exp-b', 'active', base + 2000, base + 2000, [['team', 'nlp']]],
    [3, 'search-exp-deleted', 'deleted', base + 3000, base + 3008, [['team', 'vision']]],
  ];
  for (const [id, name, stage, created, updated, tags] of experiments) {
    await db.query(
      `INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage,
         creation_time, last_update_time) VALUES ($1, $2, $3, $4, $5, $6)`,
      [id, name, `mlflow-artifacts:/${id}`, stage, created, updated],
    );
    for (const [key, value] of tags) {
      await db.query('INSERT INTO experiment_tags VALUES ($1, $2, $3)', [id, key, value]);
    }
  }

  for (let i = 0; i < 30; i++) {
    const id = RUN_IDS[i];
    const experiment = i < 20 ? 1 : 2;
    const start = T0 + i * MINUTE;
    const status = i % 5 === 4 ? 'FAILED' : i % 7 === 6 ? 'RUNNING' : 'FINISHED';
    const end = status === 'RUNNING' ? null : start + 30000 + i * 1000;
    const user = i % 2 === 0 ? 'alice' : 'bob';
    const name = `run-${String(i).padStart(2, '0')}`;
    const deleted = DELETED_RUNS.has(i);
    await db.query(
      `INSERT INTO runs (run_uuid, name, experiment_id, user_id, status, start_time, end_time,
         artifact_uri, lifecycle_stage, deleted_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        id,
        name,
        experiment,
        user,
        status,
        start,
        end,
        `mlflow-artifacts:/${experiment}/${id}/artifacts`,
        deleted ? 'deleted' : 'active',
        deleted ? T0 + 3600000 : null,
      ],
    );
    const params = {
      lr: ['0.001', '0.01', '0.1'][i % 3],
      optimizer: ['adam', 'sgd', 'rmsprop', 'adamw'][i % 4],
      batch_size: ['8', '16', '32', '128'][i % 4],
    };
    for (const [key, value] of Object.entries(params)) {
      await db.query('INSERT INTO params VALUES ($1, $2, $3)', [id, key, value]);
    }
    const tags = {
      team: i < 20 ? 'vision' : 'nlp',
      env: i % 3 === 0 ? 'prod' : 'dev',
      'model type': i % 2 === 0 ? 'cnn' : 'rnn',
      'dotted.key': `v${i % 4}`,
      'mlflow.user': user,
      'mlflow.runName': name,
    };
    for (const [key, value] of Object.entries(tags)) {
      await db.query('INSERT INTO tags VALUES ($1, $2, $3)', [id, key, value]);
    }
    const metrics: Record<string, number> = {
      loss: i === 8 ? 0.26 : Number((0.05 + 0.03 * i).toFixed(2)),
    };
    if (i % 6 !== 5) metrics.acc = Number((0.58 + 0.012 * i).toFixed(3));
    if (i === 0) metrics.long_metric = 0.001;
    for (const [key, value] of Object.entries(metrics)) {
      await db.query(
        `INSERT INTO latest_metrics (run_uuid, key, step, timestamp, value, experiment_id)
         SELECT run_uuid, $2, 4, $3, $4, experiment_id FROM runs WHERE run_uuid = $1`,
        [id, key, start + 4, value],
      );
    }
  }
}

beforeAll(async () => {
  admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  databaseName = `kiln_search_${randomBytes(6).toString('hex')}`;
  await admin.query(`CREATE DATABASE "${databaseName}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${databaseName}`;
  db = new Client({ connectionString: url.toString() });
  await db.connect();
  for (const migration of readdirSync(MIGRATIONS)
    .filter((n) => !n.endsWith('.toml'))
    .sort()) {
    await db.query(readFileSync(path.join(MIGRATIONS, migration, 'migration.sql'), 'utf8'));
  }
  await seedRecordedDataSet();
});

afterAll(async () => {
  await db?.end();
  if (databaseName) await admin?.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
  await admin?.end();
});

describe('runs/search SQL against the recorded data set', () => {
  it.each(RECORDED_RUN_SEARCHES)(
    '%s returns the recorded runs in order',
    async (_step, input, expected) => {
      expect(runNumbers(await searchRuns(input))).toEqual(expected);
    },
  );

  it('S052–S054: run_id lists respect the view type', async () => {
    const ids = (...runs: number[]) => runs.map((i) => `'${RUN_IDS[i]}'`).join(', ');
    const search = (filter: string, viewType: RunSearch['viewType']) =>
      searchRuns({ experimentIds: [1, 2], filter, orderBy: [], viewType, offset: 0, limit: 1000 });
    expect(runNumbers(await search(`run_id IN (${ids(4, 5, 22)})`, 'ACTIVE_ONLY'))).toEqual([5, 4]);
    expect(runNumbers(await search(`run_id IN (${ids(3, 4)})`, 'DELETED_ONLY'))).toEqual([3]);
    const notIn = runNumbers(await search(`run_id NOT IN (${ids(4, 5)})`, 'ACTIVE_ONLY'));
    expect(notIn).toHaveLength(25);
    expect(notIn).not.toContain(4);
  });

  it('drops upper-case ids from run_id lists', async () => {
    const upper = RUN_IDS[4].toUpperCase();
    const search = (filter: string) =>
      searchRuns({
        experimentIds: [1],
        filter,
        orderBy: [],
        viewType: 'ACTIVE_ONLY',
        offset: 0,
        limit: 1000,
      });
    expect(runNumbers(await search(`run_id IN ('${upper}', '${RUN_IDS[5]}')`))).toEqual([5]);
    expect(await search(`run_id IN ('${upper}')`)).toEqual([]);
    expect(await search(`run_id NOT IN ('${upper}')`)).toHaveLength(18);
  });

  it('returns nothing for no experiments or an unknown one (E121, E122)', async () => {
    const base = { filter: '', orderBy: [], viewType: 'ALL' as const, offset: 0, limit: 10 };
    expect(await searchRuns({ ...base, experimentIds: [] })).toEqual([]);
    expect(await searchRuns({ ...base, experimentIds: [999999] })).toEqual([]);
  });

  it('runs the E99/E102/E103/E106/E110/E111 shapes without error', async () => {
    const base = { experimentIds: [1], viewType: 'ACTIVE_ONLY' as const, offset: 0, limit: 50000 };
    expect(await searchRuns({ ...base, filter: 'metrics.loss = 1 and', orderBy: [] })).toEqual([]);
    expect(await searchRuns({ ...base, filter: "attributes.run_id = 'abc'", orderBy: [] })).toEqual(
      [],
    );
    expect(
      await searchRuns({ ...base, filter: "attributes.artifact_uri = 'x'", orderBy: [] }),
    ).toEqual([]);
    expect(await searchRuns({ ...base, filter: 'tags.x = "double-quoted"', orderBy: [] })).toEqual(
      [],
    );
    const byStart = runNumbers(await searchRuns({ ...base, filter: '', orderBy: [] }));
    expect(
      runNumbers(await searchRuns({ ...base, filter: '', orderBy: ['params.`lr` DESC'] })),
    ).toHaveLength(18);
    expect(runNumbers(await searchRuns({ ...base, filter: '', orderBy: ['metrics.'] }))).toEqual(
      byStart,
    );
  });
});

describe('experiments/search SQL against the recorded data set', () => {
  const search = async (input: Partial<Parameters<typeof buildExperimentSearchSql>[0]>) => {
    const rows = await query<{ experiment_id: number }>(
      buildExperimentSearchSql({ viewType: 'ACTIVE_ONLY', offset: 0, limit: 1001, ...input }),
    );
    return rows.map((row) => row.experiment_id);
  };

  it.each([
    ['S114', {}, [2, 1, 0]],
    ['S115', { viewType: 'DELETED_ONLY' }, [3]],
    ['S116', { viewType: 'ALL' }, [3, 2, 1, 0]],
    ['S117', { filter: "name = 'search-exp-a'" }, [1]],
    ['S118', { filter: "name != 'search-exp-a'" }, [2, 0]],
    ['S119', { filter: "name LIKE 'search-%'" }, [2, 1]],
    ['S120', { filter: "name ILIKE 'SEARCH-EXP-%'" }, [2, 1]],
    ['S121', { filter: "attribute.name = 'search-exp-b'" }, [2]],
    ['S122', { filter: "tags.team = 'vision'" }, [1]],
    ['S123', { filter: "tags.team = 'vision'", viewType: 'ALL' }, [3, 1]],
    ['S124', { filter: "tags.team != 'vision'" }, [2]],
    ['S125', { filter: "tags.team LIKE 'n%'" }, [2]],
    ['S126', { filter: "tags.`team` ILIKE 'VIS%'" }, [1]],
    ['S127', { filter: "tags.priority = 'high' and name LIKE '%-a'" }, [1]],
    ['S128', { filter: 'creation_time > 0' }, [2, 1, 0]],
    ['S129', { filter: 'last_update_time >= 0' }, [2, 1, 0]],
    ['S130', { orderBy: ['name DESC'] }, [2, 1, 0]],
    ['S131', { orderBy: ['experiment_id ASC'] }, [0, 1, 2]],
    ['S132', { orderBy: ['creation_time DESC'] }, [2, 1, 0]],
    ['S133', { orderBy: ['last_update_time'] }, [0, 1, 2]],
    ['S134', { orderBy: ['name ASC'], viewType: 'ALL', limit: 1 }, [0]],
    ['S135', { orderBy: ['name ASC'], viewType: 'ALL', limit: 1, offset: 1 }, [1]],
    ['S136', { orderBy: ['name ASC'], viewType: 'ALL', limit: 1, offset: 2 }, [2]],
    ['S137', { orderBy: ['name ASC'], viewType: 'ALL', limit: 1, offset: 3 }, [3]],
    ['tags IS NULL', { filter: 'tags.priority IS NULL' }, [2, 0]],
    ['tags IS NOT NULL', { filter: 'tags.team IS NOT NULL' }, [2, 1]],
  ] as const)('%s', async (_step, input, expected) => {
    expect(await search(input)).toEqual(expected);
  });

  it('breaks ties of an explicit order with experiment_id DESC', async () => {
    await db.query('BEGIN');
    try {
      await db.query('UPDATE experiments SET creation_time = 5 WHERE experiment_id IN (1, 2)');
      expect(await search({ orderBy: ['creation_time'] })).toEqual([2, 1, 0]);
      expect(await search({})).toEqual([0, 1, 2]);
    } finally {
      await db.query('ROLLBACK');
    }
  });
});

describe('registry search SQL against the recorded data set', () => {
  // The registry tables are not migrated yet: a throw-away schema with the planned columns is put
  // first on the search path, inside a transaction that is rolled back afterwards.
  beforeAll(async () => {
    await db.query('BEGIN');
    await db.query(`
      CREATE SCHEMA registry_fixture;
      SET LOCAL search_path TO registry_fixture, public;
      CREATE TABLE registered_models (name text PRIMARY KEY, creation_time bigint NOT NULL,
        last_updated_time bigint NOT NULL, description text);
      CREATE TABLE registered_model_tags (name text, key text, value text, PRIMARY KEY (name, key));
      CREATE TABLE model_versions (name text, version int, creation_time bigint NOT NULL,
        last_updated_time bigint NOT NULL, current_stage text NOT NULL DEFAULT 'None',
        source text, run_id text, status text, description text, user_id text,
        PRIMARY KEY (name, version));
      CREATE TABLE model_version_tags (name text, version int, key text, value text,
        PRIMARY KEY (name, version, key));`);
    const t = 1795621150000;
    const models: Array<[string, number, number, Array<[string, string]>]> = [
      [
        'search-model-alpha',
        t + 1,
        t + 9,
        [
          ['domain', 'vision'],
          ['tier', 'gold'],
        ],
      ],
      ['search-model-beta', t + 2, t + 5, [['domain', 'nlp']]],
      ['other-model', t + 3, t + 6, []],
    ];
    for (const [name, created, updated, tags] of models) {
      await db.query('INSERT INTO registered_models VALUES ($1, $2, $3, NULL)', [
        name,
        created,
        updated,
      ]);
      for (const [key, value] of tags) {
        await db.query('INSERT INTO registered_model_tags VALUES ($1, $2, $3)', [name, key, value]);
      }
    }
    const versions: Array<[string, number, number, number, string, number]> = [
      ['search-model-alpha', 1, t + 1, t + 1, 'None', 0],
      ['search-model-alpha', 2, t + 2, t + 8, 'Production', 1],
      ['search-model-alpha', 3, t + 3, t + 9, 'Staging', 2],
      ['search-model-beta', 1, t + 4, t + 4, 'None', 20],
      ['search-model-beta', 2, t + 5, t + 5, 'None', 21],
      ['other-model', 1, t + 6, t + 6, 'None', 5],
      ['other-model', 2, t + 7, t + 10, 'Deleted_Internal', 6],
    ];
    for (const [name, version, created, updated, stage, run] of versions) {
      await db.query(
        `INSERT INTO model_versions (name, version, creation_time, last_updated_time, current_stage,
           source, run_id, status) VALUES ($1, $2, $3, $4, $5, $6, $7, 'READY')`,
        [name, version, created, updated, stage, `runs:/${RUN_IDS[run]}/model`, RUN_IDS[run]],
      );
      await db.query('INSERT INTO model_version_tags VALUES ($1, $2, $3, $4)', [
        name,
        version,
        'src',
        `run-${String(run).padStart(2, '0')}`,
      ]);
    }
    await db.query(
      "INSERT INTO model_version_tags VALUES ('search-model-alpha', 2, 'validated', 'true')",
    );
  });

  afterAll(async () => {
    await db.query('ROLLBACK');
  });

  it.each([
    ['S138', {}, ['other-model', 'search-model-alpha', 'search-model-beta']],
    ['S139', { filter: "name = 'search-model-alpha'" }, ['search-model-alpha']],
    ['S140', { filter: "name LIKE 'search-%'" }, ['search-model-alpha', 'search-model-beta']],
    ['S141', { filter: "name ILIKE '%ALPHA%'" }, ['search-model-alpha']],
    ['S142', { filter: "name != 'other-model'" }, ['search-model-alpha', 'search-model-beta']],
    ['S143', { filter: "tags.domain = 'vision'" }, ['search-model-alpha']],
    ['S144', { filter: "tags.domain LIKE 'n%' and name LIKE 'search-%'" }, ['search-model-beta']],
    [
      'S145',
      { orderBy: ['name DESC'] },
      ['search-model-beta', 'search-model-alpha', 'other-model'],
    ],
    [
      'S146',
      { orderBy: ['last_updated_timestamp DESC'] },
      ['search-model-alpha', 'other-model', 'search-model-beta'],
    ],
    [
      'S147',
      { orderBy: ['timestamp DESC'] },
      ['search-model-alpha', 'other-model', 'search-model-beta'],
    ],
    ['S149', { orderBy: ['name ASC'], limit: 1 }, ['other-model']],
    ['S150', { orderBy: ['name ASC'], limit: 1, offset: 1 }, ['search-model-alpha']],
    ['S151', { orderBy: ['name ASC'], limit: 1, offset: 2 }, ['search-model-beta']],
    ['E134', { filter: "tags.k = 'v'" }, []],
  ] as const)('registered models %s', async (_step, input, expected) => {
    const rows = await query<{ name: string }>(
      buildRegisteredModelSearchSql({ offset: 0, limit: 101, ...input }),
    );
    expect(rows.map((row) => row.name)).toEqual(expected);
  });

  const A = 'search-model-alpha';
  const B = 'search-model-beta';
  const O = 'other-model';
  it.each([
    [
      'S152',
      {},
      [
        [A, 3],
        [A, 2],
        [O, 1],
        [B, 2],
        [B, 1],
        [A, 1],
      ],
    ],
    [
      'S153',
      { filter: `name = '${A}'` },
      [
        [A, 3],
        [A, 2],
        [A, 1],
      ],
    ],
    [
      'S154',
      { filter: "name LIKE 'search-model-%'" },
      [
        [A, 3],
        [A, 2],
        [B, 2],
        [B, 1],
        [A, 1],
      ],
    ],
    [
      'S155',
      { filter: "name ILIKE 'SEARCH-MODEL-B%'" },
      [
        [B, 2],
        [B, 1],
      ],
    ],
    ['S156', { filter: `run_id = '${RUN_IDS[1]}'` }, [[A, 2]]],
    [
      'S157',
      { filter: `run_id IN ('${RUN_IDS[0]}', '${RUN_IDS[20]}')` },
      [
        [B, 1],
        [A, 1],
      ],
    ],
    ['S158', { filter: `source_path = 'runs:/${RUN_IDS[21]}/model'` }, [[B, 2]]],
    [
      'S159',
      { filter: `name = '${A}' and version_number > 1` },
      [
        [A, 3],
        [A, 2],
      ],
    ],
    ['S160', { filter: "tags.validated = 'true'" }, [[A, 2]]],
    [
      'S161',
      { filter: "tags.src LIKE 'run-2%'" },
      [
        [B, 2],
        [B, 1],
      ],
    ],
    [
      'S162',
      { filter: `name = '${A}'`, orderBy: ['version_number DESC'] },
      [
        [A, 3],
        [A, 2],
        [A, 1],
      ],
    ],
    [
      'S163',
      { orderBy: ['name ASC', 'version_number DESC'] },
      [
        [O, 1],
        [A, 3],
        [A, 2],
        [A, 1],
        [B, 2],
        [B, 1],
      ],
    ],
    [
      'S164',
      { orderBy: ['last_updated_timestamp DESC'] },
      [
        [A, 3],
        [A, 2],
        [O, 1],
        [B, 2],
        [B, 1],
        [A, 1],
      ],
    ],
    [
      'S165',
      { orderBy: ['name ASC', 'version_number ASC'], limit: 2 },
      [
        [O, 1],
        [A, 1],
      ],
    ],
    [
      'S166',
      { orderBy: ['name ASC', 'version_number ASC'], limit: 2, offset: 2 },
      [
        [A, 2],
        [A, 3],
      ],
    ],
    [
      'S167',
      { orderBy: ['name ASC', 'version_number ASC'], limit: 2, offset: 4 },
      [
        [B, 1],
        [B, 2],
      ],
    ],
    ['quoted version', { filter: `name = '${A}' and version_number = '2'` }, [[A, 2]]],
    ['E143', { filter: "tags.k = 'v'" }, []],
  ] as const)('model versions %s', async (_step, input, expected) => {
    const rows = await query<{ name: string; version: number }>(
      buildModelVersionSearchSql({ offset: 0, limit: 1000, ...input }),
    );
    expect(rows.map((row) => [row.name, row.version])).toEqual(expected);
  });
});

describe('runs/search SQL beyond the recordings', () => {
  // Extra runs in their own experiment, inside a transaction rolled back afterwards.
  const X = [
    'a0000000000000000000000000000000',
    'a1111111111111111111111111111111',
    'a2222222222222222222222222222222',
    'a3333333333333333333333333333333',
    'a4444444444444444444444444444444',
  ];
  const byId = (ids: string[]) => ids.map((id) => X.indexOf(id));
  const search = async (filter: string, orderBy: string[] = []) =>
    byId(
      await searchRuns({
        experimentIds: [4],
        filter,
        orderBy,
        viewType: 'ALL',
        offset: 0,
        limit: 100,
      }),
    );

  beforeAll(async () => {
    await db.query('BEGIN');
    await db.query(
      `INSERT INTO experiments VALUES (4, 'extras', 'mlflow-artifacts:/4', 'active', 0, 0)`,
    );
    const names = ['x0', 'x1', 'x2', 'x3', 'Under_score'];
    for (let k = 0; k < X.length; k++) {
      await db.query(
        `INSERT INTO runs (run_uuid, name, experiment_id, start_time, artifact_uri, status, user_id)
         VALUES ($1, $2, 4, $3, 'a', 'FINISHED', 'u')`,
        [X[k], names[k], T0 + (100 + k) * MINUTE],
      );
    }
    const metric = async (k: number, value: number | string) =>
      db.query('INSERT INTO latest_metrics VALUES ($1, $2, 0, 0, $3::float8, 4)', [
        X[k],
        'm',
        value,
      ]);
    await metric(0, 'NaN');
    await metric(1, 1);
    await metric(2, -1);
    await metric(4, 2);
    const param = async (k: number, value: string) =>
      db.query("INSERT INTO params VALUES ($1, 'p', $2)", [X[k], value]);
    await param(0, 'a');
    await param(3, 'A_b');
    await param(4, 'a%b');
    await db.query("INSERT INTO tags VALUES ($1, 't', 'v')", [X[0]]);
    await db.query("INSERT INTO tags VALUES ($1, 't', 'w')", [X[1]]);
    await db.query(`INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, dataset_source_type,
      dataset_source) VALUES ('ds-iris', 4, 'iris', 'd1', 'local', '{}'), ('ds-wine', 4, 'wine', 'd2', 'local', '{}')`);
    const input = async (k: number, dataset: string, tags: unknown) =>
      db.query('INSERT INTO run_inputs VALUES ($1, $2, $3::jsonb)', [
        X[k],
        dataset,
        JSON.stringify(tags),
      ]);
    await input(0, 'ds-iris', [{ key: 'mlflow.data.context', value: 'training' }]);
    await input(1, 'ds-iris', [
      { key: 'mlflow.data.context', value: 'eval' },
      { key: 'other', value: 'training' },
    ]);
    await input(2, 'ds-wine', []);
    await input(3, 'ds-wine', {});
  });

  afterAll(async () => {
    await db.query('ROLLBACK');
  });

  it.each([
    ['metrics.m > 0', [4, 1]],
    ['metrics.m >= -1', [4, 2, 1]],
    ['metrics.m < 5', [4, 2, 1]],
    ['metrics.m <= 1', [2, 1]],
    ['metrics.m = 1', [1]],
    ['metrics.m != 1', [4, 2, 0]],
  ])('treats NaN as IEEE does: %s', async (filter, expected) => {
    expect(await search(filter)).toEqual(expected);
  });

  it('orders numbers, then NaN, then missing values, in both directions', async () => {
    expect(await search('', ['metrics.m ASC'])).toEqual([2, 1, 4, 0, 3]);
    expect(await search('', ['metrics.m DESC'])).toEqual([4, 1, 2, 0, 3]);
  });

  it.each([
    ['params.p IS NULL', [2, 1]],
    ['params.p IS NOT NULL', [4, 3, 0]],
    ["tags.t != 'v'", [1]],
    ["params.p LIKE 'a%'", [4, 0]],
    ["params.p LIKE 'a\\%b'", [4]],
    ["params.p ILIKE 'a_b'", [4, 3]],
    ["params.p LIKE 'a_b'", [4]],
    ["run_name LIKE '%\\_%'", [4]],
    ["datasets.name = 'iris'", [1, 0]],
    ["datasets.name != 'iris'", [3, 2]],
    ["datasets.digest IN ('d2', 'zz')", [3, 2]],
    ["datasets.name NOT IN ('wine')", [1, 0]],
    ["datasets.context = 'training'", [0]],
    ["datasets.context ILIKE 'EV%'", [1]],
    ["datasets.context NOT IN ('eval')", [0]],
    ["datasets.name = 'iris' and datasets.context = 'eval'", [1]],
  ])('%s', async (filter, expected) => {
    expect(await search(filter)).toEqual(expected);
  });

  it.each([
    '5.',
    '.5',
    '+3',
    '1e3',
    '-0',
    '1.5e12',
    '99999999999999999999',
    '-99999999999999999999',
    '1e-400',
  ])('accepts the number literal %s in Postgres', async (literal) => {
    await expect(
      search(`start_time > ${literal} and metrics.m != ${literal}`),
    ).resolves.toBeDefined();
  });

  it('keeps hostile text as data', async () => {
    const hostile = "x'); DROP TABLE runs; --";
    const quoted = hostile.replace(/'/g, "''");
    expect(
      await search(`tags.\`${hostile}\` = '${quoted}' and params.p != '${quoted}'`, [
        `tags.\`${hostile}\` DESC`,
      ]),
    ).toEqual([]);
    const count = await db.query('SELECT count(*)::int AS n FROM runs');
    expect(count.rows[0].n).toBe(35);
  });
});

describe('runs/search keyset paging', () => {
  // 40 runs in their own experiment, inside a transaction rolled back afterwards. Metric `v` and
  // param `p` take few distinct values, so ties cross page boundaries; -0 and 0 are one value.
  const ids = Array.from({ length: 40 }, (_, k) => `b${String(k).padStart(31, '0')}`);
  const metricOf = (k: number): number | string | undefined =>
    k % 10 === 9 ? undefined : k % 10 === 8 ? 'NaN' : k % 7 === 0 ? '-0' : Math.floor(k / 7);
  const paramOf = (k: number) => (k % 6 === 5 ? undefined : `p${k % 4}`);

  const search = (orderBy: string[], offset: number, limit: number) =>
    searchRuns({ experimentIds: [5], filter: '', orderBy, viewType: 'ALL', offset, limit });

  /** Every page of `limit` from the first, concatenated, as a client following tokens sees it. */
  async function followAll(orderBy: string[], limit: number): Promise<string[]> {
    const plan = planRunSearch({ experimentIds: [5], filter: '', orderBy, viewType: 'ALL' });
    const seen: string[] = [];
    let position: RunSearchPosition | undefined = { section: 0, skip: 0 };
    // Bounded, so a position that never advances fails the test instead of hanging it.
    for (let pages = 0; position && pages <= ids.length; pages++) {
      const page = await searchRunPage(plan, position, limit, (sql) => query<RunSearchRow>(sql));
      seen.push(...page.ids);
      position = page.next;
    }
    return seen;
  }

  beforeAll(async () => {
    await db.query('BEGIN');
    await db.query(
      `INSERT INTO experiments VALUES (5, 'paging', 'mlflow-artifacts:/5', 'active', 0, 0)`,
    );
    for (const [k, id] of ids.entries()) {
      // Start times repeat too, so run_uuid has to break the last ties.
      await db.query(
        `INSERT INTO runs (run_uuid, name, experiment_id, start_time, artifact_uri)
         VALUES ($1, $1, 5, $2, 'a')`,
        [id, T0 + (k % 3) * MINUTE],
      );
      const metric = metricOf(k);
      if (metric !== undefined) {
        await db.query('INSERT INTO latest_metrics VALUES ($1, $2, 0, 0, $3::float8, 5)', [
          id,
          'v',
          metric,
        ]);
      }
      const param = paramOf(k);
      if (param !== undefined) {
        await db.query("INSERT INTO params VALUES ($1, 'p', $2)", [id, param]);
      }
    }
  });

  afterAll(async () => {
    await db.query('ROLLBACK');
  });

  it('orders by value, then start_time DESC, then run id, with NaN and missing values last', async () => {
    const all = await search(['metrics.v ASC'], 0, 100);
    const rank = (k: number) => {
      const m = metricOf(k);
      return m === undefined ? [2, 0] : m === 'NaN' ? [1, 0] : [0, Number(m)];
    };
    const expected = [...ids.keys()]
      .sort((a, b) => {
        const [sa, va] = rank(a);
        const [sb, vb] = rank(b);
        return sa - sb || va - vb || (b % 3) - (a % 3) || ids[a].localeCompare(ids[b]);
      })
      .map((k) => ids[k]);
    expect(all).toEqual(expected);
  });

  it.each([
    ['metrics.v ASC'],
    ['metrics.v DESC'],
    ['params.p ASC'],
    ['params.p DESC'],
    ['metrics.v DESC', 'params.p ASC'],
    ['start_time ASC'],
    ['start_time DESC'],
    ['end_time DESC'],
    ['attributes.run_name DESC'],
  ])('pages of any size through %s (and %s) give the single-page order', async (...orderBy) => {
    const keys = orderBy.filter((o): o is string => typeof o === 'string');
    const single = await search(keys, 0, 100);
    expect(single).toHaveLength(40);
    for (const limit of [1, 3, 7, 8, 39, 40]) {
      expect(await followAll(keys, limit)).toEqual(single);
    }
  });

  it.each([0, 5, 31, 35, 38])(
    'reads a plain offset token (%i), as MLflow writes them, across sections',
    async (offset) => {
      const plan = planRunSearch({
        experimentIds: [5],
        filter: '',
        orderBy: ['metrics.v DESC'],
        viewType: 'ALL',
      });
      const execute = (sql: SqlQuery) => query<RunSearchRow>(sql);
      const single = await followAll(['metrics.v DESC'], 100);
      const page = await searchRunPage(plan, { section: 0, skip: offset }, 3, execute);
      expect(page.ids).toEqual(single.slice(offset, offset + 3));
      const rest = page.next ? await searchRunPage(plan, page.next, 100, execute) : { ids: [] };
      expect([...page.ids, ...rest.ids]).toEqual(single.slice(offset));
    },
  );

  it('refuses a position from another search (a token reused with another order_by)', async () => {
    const execute = (sql: SqlQuery) => query<RunSearchRow>(sql);
    const byStart = planRunSearch({ experimentIds: [5], filter: '', orderBy: [], viewType: 'ALL' });
    const byParam = planRunSearch({
      experimentIds: [5],
      filter: '',
      orderBy: ['params.p'],
      viewType: 'ALL',
    });
    await expect(
      searchRunPage(byStart, { section: 0, after: 'p1', skip: 0 }, 5, execute),
    ).rejects.toThrow(/does not belong to this search/);
    await expect(searchRunPage(byParam, { section: 2, skip: 0 }, 5, execute)).rejects.toThrow(
      SearchSyntaxError,
    );
  });

  it.each([
    // A new run with the smallest metric value, and a new run newer than all (default order).
    [['metrics.v ASC'], '-5'],
    [[], null],
  ])('stays stable when runs are added before the position (%j)', async (orderBy, value) => {
    const plan = planRunSearch({ experimentIds: [5], filter: '', orderBy, viewType: 'ALL' });
    const execute = (sql: SqlQuery) => query<RunSearchRow>(sql);
    const before = await followAll(orderBy, 100);
    const first = await searchRunPage(plan, { section: 0, skip: 0 }, 10, execute);
    await db.query('SAVEPOINT added');
    const id = 'c0000000000000000000000000000000';
    await db.query(
      `INSERT INTO runs (run_uuid, name, experiment_id, start_time, artifact_uri)
       VALUES ($1, 'new', 5, $2, 'a')`,
      [id, value === null ? T0 + 10 * MINUTE : T0],
    );
    if (value !== null) {
      await db.query("INSERT INTO latest_metrics VALUES ($1, 'v', 0, 0, $2, 5)", [id, value]);
    }
    const second = await searchRunPage(plan, first.next!, 10, execute);
    const restarted = await searchRunPage(plan, { section: 0, skip: 0 }, 1, execute);
    await db.query('ROLLBACK TO SAVEPOINT added');
    expect(restarted.ids).toEqual([id]);
    expect([...first.ids, ...second.ids]).toEqual(before.slice(0, 20));
  });
});
