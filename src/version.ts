/**
 * What `/version` answers. MLflow clients compare it with their own version to choose features,
 * so it names the MLflow release whose API Kiln serves.
 */
export const KILN_VERSION = '2.10.0';
