// Errors of hand edits: a bad path, a bad value, an edit that cannot be planned.
// The CLI prints them as one `diskx: IMAGE: ...` line and exits 2; the editor
// shows the message beside the field.
import { DiskxError } from '../errors';

/** The field path names nothing we can edit (`primaryHeader.nope`, a slot past the array). */
export class EditPathError extends DiskxError {}

/** The value does not fit the field (out of range, too long, not a GUID, ...). */
export class EditValueError extends DiskxError {}

/** The assignments cannot be planned together (a field given twice, a CRC that cannot be resealed). */
export class EditPlanError extends DiskxError {}
