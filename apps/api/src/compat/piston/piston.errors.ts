/** What Piston answers with its own `{"message": …}` bodies; PistonErrorFilter maps each to its status. */

/** A body Piston would refuse: 400. */
export class PistonBadRequest extends Error {}

/** Piston installs packages over its API; runbox's languages are the operator's: 501. */
export class PistonPackagesManaged extends Error {
  constructor() {
    super(
      'runbox does not install or remove packages over its API: languages are installed by the operator on the workers (see GET /api/v2/runtimes for what they have)',
    );
  }
}
