/**
 * "Enrol and identify" of the face-embedding demo (client): enrolled people live only in this
 * browser's IndexedDB (src/inference/enrolment.ts), faces found in an image or webcam snapshot
 * are labelled with the nearest enrolled identity or "unknown", and each face can be enrolled
 * under a name. Enrolling changes the answers at once: nothing is trained, an embedding is
 * stored and compared.
 */
import {
  createMemoryStorage,
  EnrolmentStore,
  openIndexedDbStorage,
  type EmbeddingModelInfo,
  type EnrolledIdentity,
  type Identification,
} from '../inference/enrolment.ts';
import type { EmbeddedImage } from '../inference/tasks/registry.ts';
import { BOX_COLOURS, drawFaceMarks, el, embeddingScale, faceFigure, type FaceMark } from './face-embedding-view.ts';
import type { RgbaImage } from '../inference/types.ts';

export interface IdentifyOutcome {
  name: string;
  known: boolean;
  nearest: string | null;
  distance: number | null;
  threshold: number;
}

export interface EnrolPanelOptions {
  /** The embedder currently selected, as the store needs it. */
  model(): EmbeddingModelInfo;
  /** Announce a message in the demo status. */
  say(message: string): void;
  /** Show an error (not fatal to the demo). */
  error(message: string): void;
  /** Called after enrolments changed and the current faces were labelled again. */
  relabelled(outcomes: IdentifyOutcome[], enrolled: string[]): void;
}

/** The current image and its faces, kept so enrolling can label them again without a model run. */
interface Current {
  image: RgbaImage;
  preview: HTMLCanvasElement | null;
  output: EmbeddedImage;
  modelId: string;
  identities: HTMLElement[];
}

function outcome(match: Identification): IdentifyOutcome {
  return {
    name: match.name,
    known: match.known,
    nearest: match.nearest,
    distance: Number.isFinite(match.distance) ? match.distance : null,
    threshold: match.threshold,
  };
}

export class EnrolPanel {
  private readonly root: HTMLElement;
  private readonly options: EnrolPanelOptions;
  private store: EnrolmentStore | null = null;
  private persistent = false;
  private current: Current | null = null;
  private readonly faces: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly list: HTMLElement;
  private readonly listSummary: HTMLElement;
  private readonly deleteAll: HTMLButtonElement;
  private readonly storageNote: HTMLElement;
  private formCount = 0;

  constructor(root: HTMLElement, options: EnrolPanelOptions) {
    this.root = root;
    this.options = options;
    this.faces = root.querySelector('[data-identify-faces]')!;
    this.summary = root.querySelector('[data-identify-summary]')!;
    this.list = root.querySelector('[data-enrolled-list]')!;
    this.listSummary = root.querySelector('[data-enrolled-summary]')!;
    this.deleteAll = root.querySelector('[data-delete-all]')!;
    this.storageNote = root.querySelector('[data-storage-note]')!;
    this.deleteAll.addEventListener('click', () => void this.clearAll());
  }

  /** Open IndexedDB (or memory when the browser refuses it) and list what is enrolled. */
  async open(): Promise<void> {
    try {
      this.store = new EnrolmentStore(await openIndexedDbStorage());
      this.persistent = true;
    } catch (error) {
      this.store = new EnrolmentStore(createMemoryStorage());
      this.storageNote.hidden = false;
      this.storageNote.textContent = `This browser refused local storage (${(error as Error).message}), so enrolments last only until you leave the page.`;
    }
    await this.renderList();
  }

  private requireStore(): EnrolmentStore {
    if (!this.store) throw new Error('The enrolment store is not open yet.');
    return this.store;
  }

  /** Label every face of a fresh result, render the face cards, and return the outcomes. */
  async show(image: RgbaImage, output: EmbeddedImage, preview: HTMLCanvasElement | null): Promise<IdentifyOutcome[]> {
    const model = this.options.model();
    const matches = await this.identifyAll(output, model);
    const scale = embeddingScale(output.embeddings);
    const identities: HTMLElement[] = [];
    const cards = output.faces.map((_, i) => {
      const tag = `Face ${i + 1}`;
      const identity = el('p', 'identity');
      identity.dataset.identity = String(i);
      identities.push(identity);
      const card = el('li', 'identify-face');
      card.dataset.face = String(i);
      card.append(faceFigure({ tag, chip: output.chips[i]!, embedding: output.embeddings[i]! }, scale, [identity]), this.enrolForm(i));
      return card;
    });
    this.faces.replaceChildren(...cards);
    this.current = { image, preview, output, modelId: model.id, identities };
    this.paint(matches);
    if (output.faces.length === 0) {
      this.summary.textContent = 'No face found in this image (MTCNN looks for faces of at least 20 pixels). Try another image.';
    }
    return matches.map(outcome);
  }

  /** Forget the current faces (another model was picked, or the image changed). */
  reset(message = 'Choose an image or take a webcam snapshot, then press Run.'): void {
    this.current = null;
    this.faces.replaceChildren();
    this.summary.textContent = message;
  }

  private async identifyAll(output: EmbeddedImage, model: EmbeddingModelInfo): Promise<Identification[]> {
    const store = this.requireStore();
    return Promise.all(output.embeddings.map((embedding) => store.identify(embedding, model)));
  }

  /** Write the labels on the cards, the boxes on the preview and the summary. */
  private paint(matches: Identification[]): void {
    const current = this.current;
    if (!current) return;
    matches.forEach((match, i) => {
      const target = current.identities[i];
      if (!target) return;
      target.className = `identity ${match.known ? 'known' : 'unknown'}`;
      target.replaceChildren();
      target.append(el('span', 'name', match.known ? match.name : 'unknown'));
      const detail =
        match.nearest === null
          ? 'nobody is enrolled yet'
          : match.known
            ? `distance ${match.distance.toFixed(3)} < ${match.threshold}`
            : `nearest: ${match.nearest} at ${match.distance.toFixed(3)} ≥ ${match.threshold}`;
      target.append(el('span', 'detail', detail));
    });
    if (current.preview && current.preview.isConnected) {
      const marks: FaceMark[] = current.output.faces.map((face, i) => {
        const match = matches[i];
        return {
          face,
          label: `${i + 1}: ${match?.known ? match.name : 'unknown'}`,
          colour: match?.known ? BOX_COLOURS.known : BOX_COLOURS.unknown,
        };
      });
      drawFaceMarks(current.preview, current.image, marks);
    }
    if (matches.length > 0) {
      const known = matches.filter((match) => match.known).length;
      this.summary.textContent =
        `${matches.length} face${matches.length === 1 ? '' : 's'}: ` +
        matches.map((match, i) => `face ${i + 1} is ${match.known ? match.name : 'unknown'}`).join(', ') +
        `. ${known} recognised at the threshold of ${matches[0]!.threshold}.`;
    }
  }

  private enrolForm(index: number): HTMLFormElement {
    const form = el('form', 'enrol-form');
    const inputId = `${this.root.id}-enrol-${++this.formCount}`;
    const label = el('label', undefined, `Name for face ${index + 1}`);
    label.htmlFor = inputId;
    const input = el('input');
    input.id = inputId;
    input.type = 'text';
    input.required = true;
    input.maxLength = 60;
    input.autocomplete = 'off';
    input.dataset.enrolName = String(index);
    const button = el('button', 'button secondary', `Enrol face ${index + 1}`);
    button.type = 'submit';
    button.dataset.enrol = String(index);
    form.append(label, input, button);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.enrol(index, input.value, button);
    });
    return form;
  }

  private async enrol(index: number, name: string, button: HTMLButtonElement): Promise<void> {
    const current = this.current;
    const embedding = current?.output.embeddings[index];
    if (!current || !embedding) return;
    const model = this.options.model();
    if (model.id !== current.modelId) {
      this.options.error('The model changed since these faces were found: press Run again before enrolling.');
      return;
    }
    button.disabled = true;
    try {
      const identity = await this.requireStore().enrol(name, embedding, model);
      await this.renderList();
      const outcomes = await this.relabel();
      const count = identity.embeddings.length;
      this.options.say(
        `Enrolled face ${index + 1} as ${identity.name}${count > 1 ? ` (now ${count} embeddings)` : ''}. The labels changed at once: nothing was retrained.`,
      );
      this.options.relabelled(outcomes, await this.enrolledNames());
    } catch (error) {
      this.options.error((error as Error).message);
    } finally {
      button.disabled = false;
    }
  }

  /** Label the current faces again against the store (after an enrolment or a deletion). */
  private async relabel(): Promise<IdentifyOutcome[]> {
    const current = this.current;
    if (!current) return [];
    const matches = await this.identifyAll(current.output, this.options.model());
    this.paint(matches);
    return matches.map(outcome);
  }

  async enrolledNames(): Promise<string[]> {
    return (await this.requireStore().list(this.options.model().id)).map((identity) => identity.name);
  }

  /** List the identities enrolled with the selected model, each with a delete button. */
  async renderList(): Promise<void> {
    const store = this.requireStore();
    const model = this.options.model();
    const mine = await store.list(model.id);
    const all = await store.list();
    const others = all.length - mine.length;
    this.list.replaceChildren(...mine.map((identity) => this.listItem(identity)));
    const where = this.persistent ? 'stored in this browser only (IndexedDB)' : 'kept in this page only';
    this.listSummary.textContent =
      mine.length === 0
        ? `Nobody is enrolled with this model yet (${where}).`
        : `${mine.length} ${mine.length === 1 ? 'person' : 'people'} enrolled with this model, ${where}.`;
    if (others > 0) this.listSummary.textContent += ` ${others} more with another model.`;
    this.deleteAll.disabled = all.length === 0;
  }

  private listItem(identity: EnrolledIdentity): HTMLElement {
    const item = el('li', 'enrolled');
    item.dataset.enrolled = identity.name;
    const text = el('span');
    text.append(el('strong', undefined, identity.name));
    const count = identity.embeddings.length;
    text.append(
      el(
        'span',
        'muted',
        ` — ${count} embedding${count === 1 ? '' : 's'} of ${identity.dimension} numbers, enrolled ${new Date(identity.createdAt).toLocaleString()}`,
      ),
    );
    const remove = el('button', 'button secondary small', 'Delete');
    remove.type = 'button';
    remove.setAttribute('aria-label', `Delete ${identity.name}`);
    remove.addEventListener('click', () => void this.remove(identity));
    item.append(text, remove);
    return item;
  }

  private async remove(identity: EnrolledIdentity): Promise<void> {
    try {
      await this.requireStore().delete(identity.id);
      await this.renderList();
      const outcomes = await this.relabel();
      this.options.say(`Deleted ${identity.name} from this browser.`);
      this.options.relabelled(outcomes, await this.enrolledNames());
      this.deleteAll.focus();
    } catch (error) {
      this.options.error((error as Error).message);
    }
  }

  private async clearAll(): Promise<void> {
    try {
      await this.requireStore().clear();
      await this.renderList();
      const outcomes = await this.relabel();
      this.options.say('Deleted every enrolled face from this browser.');
      this.options.relabelled(outcomes, []);
    } catch (error) {
      this.options.error((error as Error).message);
    }
  }
}
