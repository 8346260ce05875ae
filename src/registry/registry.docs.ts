import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiQuery } from '@nestjs/swagger';

/**
 * OpenAPI documentation of the promotion routes (stage transitions and aliases), with request
 * examples, so a release engineer can authorize on /docs and promote a version from there.
 */

const EXAMPLE_VERSION = {
  name: 'churn-classifier',
  version: '3',
  creation_timestamp: 1795620000000,
  last_updated_timestamp: 1795620060000,
  current_stage: 'Production',
  description: '',
  source: 'runs:/5f0c2b6e9a4d4c1f8e2a7b3c9d0e1f2a/model',
  run_id: '5f0c2b6e9a4d4c1f8e2a7b3c9d0e1f2a',
  status: 'READY',
  run_link: '',
  aliases: ['champion'],
};

const COMMENT = {
  type: 'string',
  description: 'Kiln extension: a note kept in the audit trail (MLflow clients never send it).',
};

const permission = (need: string) =>
  `Required permission: ${need} on the registered model. Every change is recorded in the ` +
  'audit trail (GET /api/2.0/kiln/model-versions/audit).';

export const TransitionStageDocs = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Promote a model version: move it to a stage',
      description:
        'Stages: None, Staging, Production, Archived (any case). With ' +
        '`archive_existing_versions`, the other versions currently in the target stage move to ' +
        'Archived (only for Staging and Production). On a model that requires approval ' +
        '(POST /api/2.0/kiln/registered-models/require-approval), a caller without MANAGE gets ' +
        'the unchanged version and a `pending_request` for a MANAGE user to approve. ' +
        permission('EDIT'),
    }),
    ApiBody({
      schema: {
        type: 'object',
        required: ['name', 'version', 'stage'],
        properties: {
          name: { type: 'string', description: 'Registered model name' },
          version: { type: 'string', description: 'Version number' },
          stage: { type: 'string', enum: ['None', 'Staging', 'Production', 'Archived'] },
          archive_existing_versions: { type: 'boolean', default: false },
          comment: COMMENT,
        },
      },
      examples: {
        promote: {
          summary: 'Promote version 3 to Production, archiving the current one',
          value: {
            name: 'churn-classifier',
            version: '3',
            stage: 'Production',
            archive_existing_versions: true,
            comment: 'Validated on the March holdout set',
          },
        },
        staging: {
          summary: 'Move version 4 to Staging',
          value: { name: 'churn-classifier', version: '4', stage: 'Staging' },
        },
        archive: {
          summary: 'Archive version 2',
          value: { name: 'churn-classifier', version: '2', stage: 'Archived' },
        },
      },
    }),
    ApiOkResponse({
      description: 'The version after the transition',
      schema: { example: { model_version: { ...EXAMPLE_VERSION, aliases: undefined } } },
    }),
  );

export const SetAliasDocs = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Point an alias (e.g. champion) at a model version',
      description:
        'Creates the alias or moves it. Alias names: letters, digits, `_` and `-`, at most 255 ' +
        'characters; `latest` and `v<digits>` are reserved. ' +
        permission('EDIT'),
    }),
    ApiBody({
      schema: {
        type: 'object',
        required: ['name', 'alias', 'version'],
        properties: {
          name: { type: 'string' },
          alias: { type: 'string' },
          version: { type: 'string' },
          comment: COMMENT,
        },
      },
      examples: {
        champion: {
          summary: 'Make version 3 the champion',
          value: {
            name: 'churn-classifier',
            alias: 'champion',
            version: '3',
            comment: 'Beats v2 by 2 points of AUC',
          },
        },
        challenger: {
          summary: 'Make version 4 the challenger',
          value: { name: 'churn-classifier', alias: 'challenger', version: '4' },
        },
      },
    }),
    ApiOkResponse({ description: 'Done', schema: { example: {} } }),
  );

export const DeleteAliasDocs = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Remove an alias from a registered model',
      description:
        'The fields travel in a JSON body, as MLflow clients send them. Removing an alias that ' +
        'is not set is no error. ' +
        permission('MANAGE'),
    }),
    ApiBody({
      schema: {
        type: 'object',
        required: ['name', 'alias'],
        properties: { name: { type: 'string' }, alias: { type: 'string' }, comment: COMMENT },
      },
      examples: {
        challenger: {
          summary: 'Retire the challenger alias',
          value: { name: 'churn-classifier', alias: 'challenger' },
        },
      },
    }),
    ApiOkResponse({ description: 'Done', schema: { example: {} } }),
  );

export const GetAliasDocs = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Get the model version an alias points at',
      description: `An alias that is not set is a 400 INVALID_PARAMETER_VALUE, as in MLflow. Required permission: READ on the registered model.`,
    }),
    ApiQuery({ name: 'name', required: true, example: 'churn-classifier' }),
    ApiQuery({ name: 'alias', required: true, example: 'champion' }),
    ApiOkResponse({ schema: { example: { model_version: EXAMPLE_VERSION } } }),
  );

export const AuditDocs = (scope: 'model' | 'version') =>
  applyDecorators(
    ApiOperation({
      summary:
        scope === 'model'
          ? "A registered model's audit trail"
          : "A model version's audit trail (its stage changes and the aliases set on it or " +
            'moved away from it)',
      description:
        'Stage transitions, alias changes, renames and deletions in the order they happened: ' +
        'who (`user_id`, "" until authentication identifies callers), when (`timestamp`, epoch ' +
        'ms), from, to, and the optional comment. Required permission: READ on the registered ' +
        'model.',
    }),
    ApiQuery({ name: 'name', required: true, example: 'churn-classifier' }),
    ...(scope === 'version' ? [ApiQuery({ name: 'version', required: true, example: '3' })] : []),
    ApiQuery({ name: 'max_results', required: false, example: 100 }),
    ApiQuery({ name: 'page_token', required: false }),
    ApiOkResponse({
      schema: {
        example: {
          events: [
            {
              id: '7',
              action: 'TRANSITION_STAGE',
              name: 'churn-classifier',
              version: '3',
              from_stage: 'Staging',
              to_stage: 'Production',
              user_id: 'alice',
              timestamp: 1795620060000,
              comment: 'Validated on the March holdout set',
            },
            {
              id: '8',
              action: 'SET_ALIAS',
              name: 'churn-classifier',
              version: '3',
              alias: 'champion',
              from_version: '2',
              to_version: '3',
              user_id: 'alice',
              timestamp: 1795620061000,
            },
          ],
        },
      },
    }),
  );
