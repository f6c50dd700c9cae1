/**
 * The scripts `kjobs completion bash|zsh|fish` prints. Each asks `kjobs __complete WORDS… CUR`
 * for candidates on <Tab> (one per line; `:files` alone means "complete file names").
 */

/** Shells `kjobs completion` knows. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;

const BASH = `# bash completion for kjobs                               -*- shell-script -*-
# Load it in this shell:    source <(kjobs completion bash)
# Or for every new shell:   kjobs completion bash > /etc/bash_completion.d/kjobs

__kjobs_complete() {
    local cur="\${COMP_WORDS[COMP_CWORD]}"
    local IFS=$'\\n'
    local -a out
    out=($(kjobs __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)) || return 0
    if [[ "\${out[0]}" == ":files" ]]; then
        COMPREPLY=($(compgen -f -- "$cur"))
        return 0
    fi
    COMPREPLY=("\${out[@]}")
    # A flag ending in '=' or a TYPE/ prefix is not a finished word: no space after it.
    if [[ \${#COMPREPLY[@]} -eq 1 && ( "\${COMPREPLY[0]}" == *= || "\${COMPREPLY[0]}" == */ ) ]]; then
        compopt -o nospace 2>/dev/null
    fi
    return 0
}

complete -o default -F __kjobs_complete kjobs
`;

const ZSH = `#compdef kjobs
# zsh completion for kjobs
# Load it in this shell:    source <(kjobs completion zsh)   (after compinit)
# Or for every new shell:   kjobs completion zsh > "\${fpath[1]}/_kjobs"

_kjobs() {
    local -a out
    out=("\${(@f)$(kjobs __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
    if [[ "\${out[1]}" == ":files" ]]; then
        _files
        return
    fi
    compadd -Q -- "\${(@)out:#*[=/]}" 2>/dev/null
    compadd -S '' -Q -- "\${(@M)out:#*[=/]}" 2>/dev/null
}

if [ "$funcstack[1]" = "_kjobs" ]; then
    _kjobs "$@"
else
    compdef _kjobs kjobs
fi
`;

const FISH = `# fish completion for kjobs
# Load it in this shell:    kjobs completion fish | source
# Or for every new shell:   kjobs completion fish > ~/.config/fish/completions/kjobs.fish

function __kjobs_complete
    set -l args (commandline -opc)
    set -e args[1]
    set -l cur (commandline -ct)
    set -l out (kjobs __complete $args $cur 2>/dev/null)
    if test "$out[1]" = ":files"
        __fish_complete_path $cur
        return
    end
    printf '%s\\n' $out
end

complete -c kjobs -f -a '(__kjobs_complete)'
`;

/** The completion script for `shell`. */
export function completionScript(shell: (typeof SHELLS)[number]): string {
  return shell === 'bash' ? BASH : shell === 'zsh' ? ZSH : FISH;
}
