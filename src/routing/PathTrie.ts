/** A node of the trie of the field paths the compiled patterns reference. */
export interface PathNode {
  /** The field name leading here (`''` for the root). */
  readonly name: string;
  readonly parent: PathNode | undefined;
  /** Id of the path ending here, or -1 when this node is only a prefix of longer paths. */
  pathId: number;
  readonly children: Map<string, PathNode>;
  /** The same children as an array, for comparing keys in place without slicing them. */
  readonly childList: PathNode[];
  /** Whether some child has children, so a dotted event key (`"a.b"`) could lead somewhere. */
  hasGrandchildren: boolean;
  /** Ids (into `PathTrie.needles`) of the names of the children of this node and of its ancestors. */
  exitNeedles: number[];
}

function newNode(name: string, parent: PathNode | undefined): PathNode {
  return { name, parent, pathId: -1, children: new Map(), childList: [], hasGrandchildren: false, exitNeedles: [] };
}

/**
 * The referenced field paths as a trie of field names. Paths are field names joined with `.`; like
 * Event Ruler, an event key containing dots (`{"a.b": 1}`) reaches the same path as nested keys.
 */
export class PathTrie {
  readonly root: PathNode = newNode('', undefined);
  /** Path text by id. */
  readonly paths: string[] = [];
  /**
   * Every distinct child name: when a name does not occur in the rest of the JSON text, no key of that
   * name can follow. (Searched without its quote, whose frequency in JSON would slow the search down.)
   */
  readonly needles: string[] = [];
  private readonly ids = new Map<string, number>();

  /** The id of a path, adding it when new. */
  add(path: string): number {
    const known = this.ids.get(path);
    if (known !== undefined) return known;
    let node = this.root;
    for (const name of path.split('.')) {
      let child = node.children.get(name);
      if (child === undefined) {
        child = newNode(name, node);
        node.children.set(name, child);
        node.childList.push(child);
        if (node.parent !== undefined) node.parent.hasGrandchildren = true;
      }
      node = child;
    }
    node.pathId = this.paths.length;
    this.paths.push(path);
    this.ids.set(path, node.pathId);
    return node.pathId;
  }

  idOf(path: string): number | undefined {
    return this.ids.get(path);
  }

  /** Precomputes what the JSON scanner needs; call once every path is added. */
  seal(): void {
    const needleIds = new Map<string, number>();
    const needleOf = (name: string): number => {
      let id = needleIds.get(name);
      if (id === undefined) {
        id = this.needles.length;
        this.needles.push(name);
        needleIds.set(name, id);
      }
      return id;
    };
    const visit = (node: PathNode, inherited: number[]): void => {
      const own = node.childList.map((child) => needleOf(child.name));
      node.exitNeedles = [...new Set([...own, ...inherited])];
      for (const child of node.childList) visit(child, node.exitNeedles);
    };
    visit(this.root, []);
  }

  /** The node an event key leads to from `node`, following the dots of a dotted key. */
  static childFor(node: PathNode, key: string): PathNode | undefined {
    const direct = node.children.get(key);
    if (direct !== undefined || !node.hasGrandchildren || !key.includes('.')) return direct;
    let current: PathNode | undefined = node;
    for (const name of key.split('.')) {
      current = current.children.get(name);
      if (current === undefined) return undefined;
    }
    return current;
  }
}
