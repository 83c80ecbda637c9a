package staticexport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// manifestName is the file, at the top of the output directory, that
// lists the pages the last export wrote, so that a page that is no longer
// exported has its directory removed, and nothing else is ever touched.
const manifestName = ".statusd-export.json"

// tempPrefix starts the name of every temporary file; such files are
// skipped when looking for stale ones and removed when found.
const tempPrefix = ".statusd-tmp-"

// output is the export's directory.
type output struct{ dir string }

func newOutput(dir string) *output { return &output{dir: dir} }

// prepare creates the directory.
func (o *output) prepare() error {
	if err := os.MkdirAll(o.dir, 0o755); err != nil {
		return fmt.Errorf("create output directory: %w", err)
	}
	return nil
}

// pageDir is the directory of page id, which must be one clean path
// element.
func (o *output) pageDir(id string) (string, error) {
	if id == "" || id != filepath.Base(id) || id == "." || id == ".." || strings.HasPrefix(id, ".") ||
		strings.ContainsAny(id, `/\`) {
		return "", fmt.Errorf("page ID %q is not a directory name", id)
	}
	return filepath.Join(o.dir, id), nil
}

// writePage writes files (relative slash paths) under the page's
// directory, each atomically and only when its bytes changed, those named
// in last after all others in that order; then removes every other file.
func (o *output) writePage(id string, files map[string][]byte, last []string) (written, removed int, err error) {
	dir, err := o.pageDir(id)
	if err != nil {
		return 0, 0, err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		if !slices.Contains(last, name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range last {
		if _, ok := files[name]; ok {
			names = append(names, name)
		}
	}
	for _, name := range names {
		changed, err := writeFile(filepath.Join(dir, filepath.FromSlash(name)), files[name])
		if err != nil {
			return written, 0, err
		}
		if changed {
			written++
		}
	}
	removed, err = removeStale(dir, files)
	return written, removed, err
}

// writeFile replaces path with body unless it holds body already: written
// to a temporary file in the same directory, synced, then renamed over
// it, so that a reader sees the old file or the new one, never a part.
func writeFile(path string, body []byte) (changed bool, err error) {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, body) {
		return false, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return false, fmt.Errorf("create directory: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), tempPrefix+"*")
	if err != nil {
		return false, fmt.Errorf("create temporary file: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = os.Remove(tmp) // best effort: the error said what failed
		}
	}()
	if _, err := f.Write(body); err != nil {
		return false, errors.Join(fmt.Errorf("write %s: %w", path, err), f.Close())
	}
	if err := f.Chmod(0o644); err != nil {
		return false, errors.Join(fmt.Errorf("chmod %s: %w", path, err), f.Close())
	}
	if err := f.Sync(); err != nil {
		return false, errors.Join(fmt.Errorf("sync %s: %w", path, err), f.Close())
	}
	if err := f.Close(); err != nil {
		return false, fmt.Errorf("close %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return false, fmt.Errorf("replace %s: %w", path, err)
	}
	return true, nil
}

// removeStale removes every file under dir that files does not name
// (a deleted incident's page, a removed component's badge, a temporary
// file left by a crash), then the directories left empty.
func removeStale(dir string, files map[string][]byte) (int, error) {
	removed := 0
	var dirs []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		if d.IsDir() {
			if rel != "." {
				dirs = append(dirs, p)
			}
			return nil
		}
		if _, ok := files[filepath.ToSlash(rel)]; ok {
			return nil
		}
		if err := os.Remove(p); err != nil {
			return err
		}
		if !strings.HasPrefix(d.Name(), tempPrefix) {
			removed++
		}
		return nil
	})
	if err != nil {
		return removed, fmt.Errorf("remove stale files: %w", err)
	}
	slices.Reverse(dirs) // deepest first
	for _, d := range dirs {
		if entries, err := os.ReadDir(d); err == nil && len(entries) == 0 {
			if err := os.Remove(d); err != nil {
				return removed, fmt.Errorf("remove empty directory: %w", err)
			}
		}
	}
	return removed, nil
}

// updateManifest records the pages exported (keep) in the manifest and
// removes the directories of listed pages that are no longer exported:
// every page keep does not hold when drop is "*" (a full export), else
// page drop alone ("" for none). It may add to keep.
func (o *output) updateManifest(keep map[string]bool, drop string) error {
	path := filepath.Join(o.dir, manifestName)
	var before struct {
		Pages []string `json:"pages"`
	}
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &before); err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read export manifest: %w", err)
	}
	if drop != "*" {
		for _, id := range before.Pages {
			keep[id] = keep[id] || id != drop
		}
	}
	var errs []error
	for _, id := range before.Pages {
		if keep[id] {
			continue
		}
		delete(keep, id)
		dir, err := o.pageDir(id)
		if err == nil {
			err = os.RemoveAll(dir)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("remove page %q no longer exported: %w", id, err))
			keep[id] = true // still there: try again next time
		}
	}
	after := struct {
		Pages []string `json:"pages"`
	}{Pages: []string{}}
	for id, ok := range keep {
		if ok {
			after.Pages = append(after.Pages, id)
		}
	}
	slices.Sort(after.Pages)
	b, err := json.MarshalIndent(after, "", "  ")
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("encode export manifest: %w", err))...)
	}
	if _, err := writeFile(path, append(b, '\n')); err != nil {
		errs = append(errs, fmt.Errorf("write export manifest: %w", err))
	}
	return errors.Join(errs...)
}
