# bash completion for bitrootd.
#
# Install as /usr/share/bash-completion/completions/bitrootd, or source it.
# The option list comes from the daemon itself (`bitrootd -help-debug`), so
# it always matches the binary being completed.

_bitrootd()
{
	local cur prev words cword
	_init_completion -n = || return

	case "$cur" in
	-conf=*|-pid=*|-loadblock=*|-debuglogfile=*|-rpccookiefile=*)
		cur="${cur#*=}"
		_filedir
		return
		;;
	-datadir=*)
		cur="${cur#*=}"
		_filedir -d
		return
		;;
	-chain=*)
		cur="${cur#*=}"
		COMPREPLY=($(compgen -W "main test testnet4 signet regtest" \
		    -- "$cur"))
		return
		;;
	-debug=*|-debugexclude=*)
		cur="${cur#*=}"
		COMPREPLY=($(compgen -W "1 all 0 none net mempool rpc http \
		    validation store addrman bench script reindex cmpctblock \
		    lock config" -- "$cur"))
		return
		;;
	-loglevel=*)
		cur="${cur#*=}"
		COMPREPLY=($(compgen -W "info debug trace" -- "$cur"))
		return
		;;
	-rpccookieperms=*)
		cur="${cur#*=}"
		COMPREPLY=($(compgen -W "owner group all" -- "$cur"))
		return
		;;
	-*=*)
		# a value nobody can guess
		return
		;;
	esac

	if [[ -z "$cur" || "$cur" == -* ]]; then
		local opts
		opts=$("${words[0]}" -help-debug 2>/dev/null | awk '
		    /^  -/ { o = substr($1, 1); sub(/=.*/, "=", o); print o }')
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		# an option that takes a value: no space after the "="
		[[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]] &&
		    compopt -o nospace
	fi
} &&
complete -F _bitrootd bitrootd
