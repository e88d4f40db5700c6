// ControllerExpectations lives with the other shared controller utilities.
export { ControllerExpectations, EXPECTATIONS_TIMEOUT_MS } from '../controllerutil.js';
